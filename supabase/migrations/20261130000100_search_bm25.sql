-- Full-text ranking by BM25 over per-tenant term statistics.
--
-- Migration 30's search_chunks_text ranked candidates by coverage (the share of the question's words a
-- passage holds, every word alike) and cover density. A plain BM25 beat it on same-language questions
-- (bench/retrieval.ts, recall@5 0.834 against 0.779 at 10k passages): a question names a brand, a model,
-- a city, and a word only a few passages hold tells them apart far better than "delivery", which
-- a thousand hold. Ranking by rarity needs each word's document frequency in the tenant's knowledge,
-- and counting it per question costs milliseconds per word (a GIN lookup reads every matching row), so
-- the counts are kept as passages are written:
--
--   knowledge_term_stats (tenant_key, lexeme, df): how many of a tenant's passages hold each lexeme
--     (tenant_key is the tenant, or the nil uuid for global knowledge);
--   knowledge_text_stats (tenant_key, chunks, lexemes): passages and their total distinct lexemes (the
--     average passage length BM25 normalises by).
--
-- Both are maintained by statement-level triggers on knowledge_chunks (one aggregated upsert per
-- statement, so a bulk insert of a document's chunks is one write per lexeme, in lexeme order so that
-- concurrent writers lock rows in the same order); updates that leave fts and the tenant alone (usage
-- counts, embeddings) write nothing. Lexemes whose count falls to zero are removed.
--
-- search_chunks_text keeps its signature (chunk_id, rank, coverage) and its bounded candidate lookups,
-- with three changes:
--   1. the question's words are chosen and ordered by rarity (their df), not by length: a word no
--      passage holds costs no lookup, a rare word brings all its rows, common words are AND-ed,
--      dropping the most common first;
--   2. rank is BM25 (k1 1.2, b 0.75; idf from the statistics; tf the word's occurrences, at most 3, plus
--      1 when it is in the title; length = distinct lexemes), divided by its maximum so it stays 0..1,
--      and rows are ordered by it;
--   3. coverage is unchanged (the plain share of the question's words the passage holds, words no passage
--      holds included): it is what confidence and the answer threshold read.

create table public.knowledge_term_stats (
  tenant_key uuid not null,
  lexeme text not null,
  df int not null,
  primary key (tenant_key, lexeme)
);
create table public.knowledge_text_stats (
  tenant_key uuid primary key,
  chunks bigint not null,
  lexemes bigint not null
);

-- RLS like every table (migration 30): enabled and forced, the API's role reads, members read their
-- tenants' and the global rows; only the trigger below writes (as the owner, through its own policy).
do $$
declare t text;
begin
  foreach t in array array['knowledge_term_stats', 'knowledge_text_stats']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('create policy parley_app_all on public.%I for all to parley_app using (true) with check (true)', t);
    execute format('create policy owner_maintains on public.%I for all to %I using (true) with check (true)', t, current_user);
    execute format('create policy members_read on public.%I for select to authenticated
                      using (tenant_key = %L::uuid or public.is_tenant_member(tenant_key))', t, '00000000-0000-0000-0000-000000000000');
    execute format('grant select, insert, update, delete on public.%I to parley_app', t);
    execute format('revoke all on public.%I from authenticated, service_role', t);
    execute format('grant select on public.%I to authenticated, service_role', t);
  end loop;
end $$;

-- SECURITY DEFINER: a member deleting a source, the worker replacing chunks and a cascade from a
-- deleted tenant all keep the counts right, whoever they run as.
create or replace function public.knowledge_chunks_stats() returns trigger
language plpgsql security definer
set search_path = public, pg_temp
as $$
declare
  nil constant uuid := '00000000-0000-0000-0000-000000000000';
  o_t uuid[] := '{}';
  o_f tsvector[] := '{}';
  n_t uuid[] := '{}';
  n_f tsvector[] := '{}';
begin
  -- What the old rows counted goes, what the new rows count comes; an update counts only the rows whose
  -- text or tenant changed (usage counts and embeddings change nothing here).
  if tg_op = 'INSERT' then
    select coalesce(array_agg(coalesce(n.tenant_id, nil)), '{}'), coalesce(array_agg(n.fts), '{}') into n_t, n_f from new_rows n;
  elsif tg_op = 'DELETE' then
    select coalesce(array_agg(coalesce(o.tenant_id, nil)), '{}'), coalesce(array_agg(o.fts), '{}') into o_t, o_f from old_rows o;
  else
    select coalesce(array_agg(coalesce(o.tenant_id, nil)), '{}'), coalesce(array_agg(o.fts), '{}'),
           coalesce(array_agg(coalesce(n.tenant_id, nil)), '{}'), coalesce(array_agg(n.fts), '{}')
      into o_t, o_f, n_t, n_f
      from old_rows o join new_rows n on n.id = o.id
     where n.fts is distinct from o.fts or n.tenant_id is distinct from o.tenant_id;
  end if;
  if cardinality(o_t) = 0 and cardinality(n_t) = 0 then
    return null;
  end if;

  insert into public.knowledge_term_stats as s (tenant_key, lexeme, df)
  select k, x, sum(d)::int
    from (select u.k, x, -1 d from unnest(o_t, o_f) u(k, f), unnest(tsvector_to_array(u.f)) x
          union all
          select u.k, x, 1 from unnest(n_t, n_f) u(k, f), unnest(tsvector_to_array(u.f)) x) delta
   group by 1, 2 having sum(d) <> 0 order by 1, 2
  on conflict (tenant_key, lexeme) do update set df = s.df + excluded.df;

  insert into public.knowledge_text_stats as s (tenant_key, chunks, lexemes)
  select k, sum(n), sum(l)
    from (select u.k, -1 n, -coalesce(length(u.f), 0) l from unnest(o_t, o_f) u(k, f)
          union all
          select u.k, 1, coalesce(length(u.f), 0) from unnest(n_t, n_f) u(k, f)) delta
   group by 1 having sum(n) <> 0 or sum(l) <> 0 order by 1
  on conflict (tenant_key) do update set chunks = s.chunks + excluded.chunks, lexemes = s.lexemes + excluded.lexemes;

  if cardinality(o_t) > 0 then
    delete from public.knowledge_term_stats s
     using (select distinct u.k, x from unnest(o_t, o_f) u(k, f), unnest(tsvector_to_array(u.f)) x) gone
     where s.tenant_key = gone.k and s.lexeme = gone.x and s.df <= 0;
  end if;
  return null;
end
$$;
revoke all on function public.knowledge_chunks_stats() from public;

create trigger knowledge_chunks_stats_ins after insert on public.knowledge_chunks
  referencing new table as new_rows for each statement execute function public.knowledge_chunks_stats();
create trigger knowledge_chunks_stats_upd after update on public.knowledge_chunks
  referencing old table as old_rows new table as new_rows for each statement execute function public.knowledge_chunks_stats();
create trigger knowledge_chunks_stats_del after delete on public.knowledge_chunks
  referencing old table as old_rows for each statement execute function public.knowledge_chunks_stats();

-- The knowledge already there.
insert into public.knowledge_term_stats (tenant_key, lexeme, df)
select coalesce(c.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), x, count(*)
  from public.knowledge_chunks c, unnest(tsvector_to_array(c.fts)) x
 where c.fts is not null group by 1, 2;
insert into public.knowledge_text_stats (tenant_key, chunks, lexemes)
select coalesce(c.tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), count(*), sum(coalesce(length(c.fts), 0))
  from public.knowledge_chunks c group by 1;

create or replace function public.search_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_count int)
returns table (chunk_id uuid, rank real, coverage real)
language plpgsql stable
set search_path = public, pg_temp
set enable_seqscan = off
as $$
declare
  nil constant uuid := '00000000-0000-0000-0000-000000000000';
  k1 constant real := 1.2;
  b constant real := 0.75;
  uq text := unaccent(left(coalesce(p_query, ''), 2000));
  groups text[];
  dfs real[];
  q_lex text[];
  q_idx int[];
  common text[] := '{}';
  ids uuid[];
  cand uuid[] := '{}';
  lookup tsquery;
  idf real[];
  n_docs real;
  avg_len real;
  i int;
  k int;
  cap int := greatest(coalesce(p_count, 0), 1) * 4;
begin
  if p_count is null or p_count < 1 then
    return;
  end if;

  select greatest(coalesce(sum(s.chunks), 0), 1), greatest(coalesce(sum(s.lexemes)::real / nullif(sum(s.chunks), 0), 1), 1)
    into n_docs, avg_len
    from knowledge_text_stats s where s.tenant_key in (p_tenant, nil);

  -- One group per distinct word (compound words are split into their parts): its lexemes in each of
  -- the seven languages, and how many passages hold any of them (an upper bound: a passage holding two
  -- of a word's stems counts twice). At most 10 words, the rarest first.
  with words as (
    select distinct lower(p.token) as w
      from ts_parse('default', uq) p
     where p.tokid not in (12, 13, 14, 15, 16, 17, 23)
  ), flat as (
    select w.w, l, x
      from words w cross join unnest(array['fr', 'en', 'es', 'pt', 'de', 'it', 'nl']) l
      left join lateral unnest(tsvector_to_array(to_tsvector(public.fts_config(l), w.w))) x on true
  ), per_word as (
    select f.w, count(distinct f.l) filter (where f.x is null) as stop_in,
           '(' || string_agg(distinct quote_literal(f.x), ' | ') || ')' as grp,
           array_agg(distinct f.x) filter (where f.x is not null) as lexemes
      from flat f group by f.w
  ), kept as (
    select pw.w, pw.grp, pw.lexemes from per_word pw
     where pw.grp is not null
       and (pw.stop_in = 0 or not exists (select 1 from per_word o where o.stop_in = 0 and o.grp is not null))
  ), distinct_groups as (
    select kp.grp, max(length(kp.w)) as len, min(kp.lexemes) as lexemes from kept kp group by kp.grp
  ), counted as (
    select dg.grp, dg.len,
           (select coalesce(sum(s.df), 0) from knowledge_term_stats s
             where s.tenant_key in (p_tenant, nil) and s.lexeme = any (dg.lexemes))::real as df
      from distinct_groups dg
  )
  select array_agg(c.grp order by c.df, c.len desc, c.grp), array_agg(c.df order by c.df, c.len desc, c.grp)
    into groups, dfs
    from (select * from counted order by df, len desc, grp limit 10) c;

  if coalesce(cardinality(groups), 0) = 0 then
    return;
  end if;
  -- The lexemes of each word, to count them in each candidate's tsvector.
  select array_agg(x), array_agg(o::int) into q_lex, q_idx
    from unnest(groups) with ordinality as u(g, o),
         regexp_matches(g, '''((?:[^'']|'''')*)''', 'g') m(mm), lateral (select replace(mm[1], '''''', '''') as x) xx;

  -- 1. Rare words bring their rows (the rarest first, until `cap` rows); common ones are AND-ed in
  --    step 2. Words no passage holds cost nothing here (they still count against coverage below).
  for i in 1 .. cardinality(groups) loop
    continue when dfs[i] = 0;
    if dfs[i] > cap then
      common := common || groups[i];
      continue;
    end if;
    lookup := to_tsquery('simple', groups[i]);
    select array_agg(s.id) into ids
      from ((select c.id from public.knowledge_chunks c
              where c.tenant_id = p_tenant and c.fts @@ lookup and c.is_active
                and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
              limit cap)
            union all
            (select c.id from public.knowledge_chunks c
              where c.tenant_id is null and c.fts @@ lookup and c.is_active
              limit cap)) s;
    cand := cand || coalesce(ids, '{}');
    -- Rarest first: once they bring `cap` rows, rows of less rare words add work more than answers
    -- (bench: same recall, a third less CPU at 10k passages).
    exit when cardinality(cand) >= cap;
  end loop;

  -- 2. Common words together (rarest first), dropping the most common until enough rows are found.
  k := cardinality(common);
  while k >= 1 loop
    lookup := to_tsquery('simple', array_to_string(common[1:k], ' & '));
    select array_agg(s.id) into ids
      from ((select c.id from public.knowledge_chunks c
              where c.tenant_id = p_tenant and c.fts @@ lookup and c.is_active
                and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
              limit cap)
            union all
            (select c.id from public.knowledge_chunks c
              where c.tenant_id is null and c.fts @@ lookup and c.is_active
              limit cap)
            limit cap) s;
    cand := cand || coalesce(ids, '{}');
    exit when coalesce(cardinality(ids), 0) >= p_count;
    k := k - 1;
  end loop;

  -- Each word's idf.
  select array_agg(ln(1 + (n_docs - least(d, n_docs) + 0.5) / (least(d, n_docs) + 0.5))::real order by o)
    into idf
    from unnest(groups, dfs) with ordinality as u(g, d, o);

  return query
  with cand_rows as (
    select c.id, c.fts, length(c.fts)::real as len from public.knowledge_chunks c
     where c.id = any(cand)
  ), qmap as (
    select * from unnest(q_lex, q_idx) as m(lex, j)
  ), per_group as (
    select r.id, r.len, m.j, least(sum(coalesce(cardinality(u.positions), 1)), 3) + max(case when 'A' = any(u.weights) then 1 else 0 end) as tf
      from cand_rows r cross join lateral unnest(r.fts) u join qmap m on m.lex = u.lexeme
     group by r.id, r.len, m.j
  ), scored as (
    select r.id,
           coalesce(sum(idf[p.j] * p.tf * (k1 + 1) / (p.tf + k1 * (1 - b + b * p.len / avg_len))), 0)
             / (select sum(x) * (k1 + 1) from unnest(idf) x) as bm25,
           (count(distinct p.j))::real / cardinality(groups) as cov
      from cand_rows r left join per_group p on p.id = r.id group by r.id
  )
  select s.id, s.bm25::real, s.cov::real
    from scored s
   order by s.bm25 desc, s.id
   limit p_count;
end
$$;
