-- Full text ranks the passages the vector search found, in the same statement that reads the candidates.
--
-- A passage lacking two of a question's common words was never a full-text candidate (the common words
-- are AND-ed, every word but one at most), so however well it matched the rest it had no text rank, and
-- the vector similarity alone (weight 0.1 with the local embedder) could not lift it: French "comment
-- renvoyer le casque de vélo Vela, l'étiquette de retour est-elle gratuite ?" against the passage on
-- returning the Vela bike helmet, which says "retourner" and "prépayée". retrieve() now asks full text
-- to rank the vector hits it did not rank, inside the statement that reads the candidates' rows, so
-- the answer waits for no more statements than before (the searches run in parallel, then one read).
--
-- One definition of the ranking: search_chunks_text's question parsing and BM25 scoring move, as they
-- were in migration 121, into question_terms (the question's words, lexemes and idf) and rank_chunks_text
-- (BM25 and coverage of given passages, within the tenant and bot), its two candidate lookups into
-- chunks_matching. score_chunks_text ranks given ids.

create type public.fts_terms as (
  groups text[],        -- one tsquery group per kept word, rarest first (at most 10)
  dfs real[],           -- passages holding each group (an upper bound)
  idf real[],           -- each group's idf
  q_lex text[],         -- lexeme -> group (q_idx), matched in passages of language q_cfg (null: any other)
  q_idx int[],
  q_cfg regconfig[],
  avg_len real,         -- the tenant's mean passage length, in lexemes
  lang regconfig        -- the question's language (null: not given, every passage by any stem)
);

-- The question's words: parsed, stemmed in the seven languages, counted against the tenant's term stats.
create or replace function public.question_terms(p_tenant uuid, p_query text, p_lang text)
returns public.fts_terms
language plpgsql stable
set search_path = public, pg_temp
as $$
declare
  nil constant uuid := '00000000-0000-0000-0000-000000000000';
  uq text := unaccent(left(coalesce(p_query, ''), 2000));
  n_docs real;
  t public.fts_terms;
begin
  t.lang := nullif(public.fts_config(p_lang), 'simple'::regconfig);
  select greatest(coalesce(sum(s.chunks), 0), 1), greatest(coalesce(sum(s.lexemes)::real / nullif(sum(s.chunks), 0), 1), 1)
    into n_docs, t.avg_len
    from knowledge_text_stats s where s.tenant_key in (p_tenant, nil);

  -- One group per distinct word (compound words are split into their parts): its lexemes in each of
  -- the seven languages, and how many passages hold any of them (an upper bound: a passage holding two
  -- of a word's stems counts twice). At most 10 words, the rarest first.
  with words as (
    select distinct lower(p.token) as w
      from ts_parse('default', uq) p
     where p.tokid not in (12, 13, 14, 15, 16, 17, 23)
  ), flat as (
    -- The seven configurations as constants (fts_config's names, cast once at planning, not per word).
    select w.w, l.cfg, x
      from words w
      cross join (values ('french'::regconfig), ('english'::regconfig), ('spanish'::regconfig), ('portuguese'::regconfig),
                         ('german'::regconfig), ('italian'::regconfig), ('dutch'::regconfig)) l(cfg)
      left join lateral unnest(tsvector_to_array(to_tsvector(l.cfg, w.w))) x on true
  ), per_word as (
    select f.w, count(distinct f.cfg) filter (where f.x is null) as stop_in,
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
  , chosen as (
    select c.grp, c.df, row_number() over (order by c.df, c.len desc, c.grp)::int as j
      from (select * from counted order by df, len desc, grp limit 10) c
  ), lexes as (
    -- Each chosen word's lexemes, once each (cfg null: what a passage in another language is matched
    -- by), and its stem in the question's language (cfg lang: what a passage in it is matched by).
    select distinct f.x, ch.j, case when q.own then t.lang end as cfg
      from chosen ch join kept kp on kp.grp = ch.grp join flat f on f.w = kp.w
           cross join (values (false), (true)) q(own)
     where f.x is not null and (not q.own or f.cfg = t.lang)
  )
  select (select array_agg(ch.grp order by ch.j) from chosen ch), (select array_agg(ch.df order by ch.j) from chosen ch),
         (select array_agg(l.x) from lexes l), (select array_agg(l.j) from lexes l), (select array_agg(l.cfg) from lexes l)
    into t.groups, t.dfs, t.q_lex, t.q_idx, t.q_cfg;


  -- Each word's idf.
  select array_agg(ln(1 + (n_docs - least(d, n_docs) + 0.5) / (least(d, n_docs) + 0.5))::real order by o)
    into t.idf
    from unnest(t.groups, t.dfs) with ordinality as u(g, d, o);

  return t;
end
$$;

-- BM25 (per-tenant term statistics) and coverage of the given passages, best first, within the tenant
-- (and global knowledge) and the bot, active ones only.
create or replace function public.rank_chunks_text(p_tenant uuid, p_bot uuid, p_ids uuid[], t public.fts_terms, p_count int)
returns table (chunk_id uuid, rank real, coverage real)
language sql stable
set search_path = public, pg_temp
set enable_seqscan = off
as $$
  with cand_rows as (
    select c.id, c.fts, length(c.fts)::real as len, public.fts_config(c.language) as cfg from public.knowledge_chunks c
     where c.id = any(p_ids)
       and (c.tenant_id = p_tenant or c.tenant_id is null) and c.is_active
       and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
  ), qmap as (
    select * from unnest(t.q_lex, t.q_idx, t.q_cfg) as m(lex, j, cfg)
  ), per_group as (
    select r.id, r.len, m.j, least(sum(coalesce(cardinality(u.positions), 1)), 3) + max(case when 'A' = any(u.weights) then 1 else 0 end) as tf
      from cand_rows r cross join lateral unnest(r.fts) u
      join qmap m on m.lex = u.lexeme and m.cfg is not distinct from (case when r.cfg = t.lang then t.lang end)
     group by r.id, r.len, m.j
  ), scored as (
    -- k1 = 1.2, b = 0.75
    select r.id,
           coalesce(sum(t.idf[p.j] * p.tf * 2.2 / (p.tf + 1.2 * (0.25 + 0.75 * p.len / t.avg_len))), 0)
             / (select sum(x) * 2.2 from unnest(t.idf) x) as bm25,
           (count(distinct p.j))::real / cardinality(t.groups) as cov
      from cand_rows r left join per_group p on p.id = r.id group by r.id
  )
  select s.id, s.bm25::real, s.cov::real
    from scored s
   order by s.bm25 desc, s.id
   limit p_count
$$;

-- At most p_cap active passages of the tenant (and bot) and of global knowledge matching a lookup, in
-- no particular order: full text's candidate lookups (search_chunks_text, whose enable_seqscan = off
-- holds here too: the GIN index answers).
create or replace function public.chunks_matching(p_tenant uuid, p_bot uuid, p_lookup tsquery, p_cap int)
returns uuid[]
language plpgsql stable
set search_path = public, pg_temp
as $$
begin
  return coalesce((
    select array_agg(s.id)
      from ((select c.id from public.knowledge_chunks c
              where c.tenant_id = p_tenant and c.fts @@ p_lookup and c.is_active
                and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
              limit p_cap)
            union all
            (select c.id from public.knowledge_chunks c
              where c.tenant_id is null and c.fts @@ p_lookup and c.is_active
              limit p_cap)
            limit p_cap) s), '{}');
end
$$;

-- Full-text search: candidates by index lookups (migration 121's two steps), ranked by rank_chunks_text.
create or replace function public.search_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_count int, p_lang text default null)
returns table (chunk_id uuid, rank real, coverage real)
language plpgsql stable
set search_path = public, pg_temp
set enable_seqscan = off
as $$
declare
  t public.fts_terms;
  groups text[];
  dfs real[];
  common text[] := '{}';
  ids uuid[];
  cand uuid[] := '{}';
  lookup tsquery;
  i int;
  k int;
  n int;
  cap int := greatest(coalesce(p_count, 0), 1) * 4;
begin
  if p_count is null or p_count < 1 then
    return;
  end if;
  t := public.question_terms(p_tenant, p_query, p_lang);
  groups := t.groups;
  dfs := t.dfs;
  if coalesce(cardinality(groups), 0) = 0 then
    return;
  end if;

  -- 1. Rare words bring their rows (the rarest first, until `cap` rows); common ones are AND-ed in
  --    step 2. Words no passage holds cost nothing here (they still count against coverage below).
  for i in 1 .. cardinality(groups) loop
    continue when dfs[i] = 0;
    if dfs[i] > cap then
      common := common || groups[i];
      continue;
    end if;
    cand := cand || public.chunks_matching(p_tenant, p_bot, to_tsquery('simple', groups[i]), cap);
    -- Rarest first: once they bring `cap` rows, rows of less rare words add work more than answers
    -- (bench: same recall, a third less CPU at 10k passages).
    exit when cardinality(cand) >= cap;
  end loop;

  -- 2. Common words together (rarest first), dropping the most common until enough rows are found; the
  --    step below all of them takes passages lacking any one word, the rarest included (every word but
  --    one, any one: k subsets OR-ed in one lookup).
  k := cardinality(common);
  n := k;
  while n >= 1 loop
    if n = k - 1 and n > 1 then
      lookup := to_tsquery('simple', (select string_agg('(' || array_to_string(common[1:g.o - 1] || common[g.o + 1:k], ' & ') || ')', ' | ')
                                         from generate_series(1, k) g(o)));
    else
      lookup := to_tsquery('simple', array_to_string(common[1:n], ' & '));
    end if;
    ids := public.chunks_matching(p_tenant, p_bot, lookup, cap);
    cand := cand || ids;
    exit when cardinality(ids) >= p_count;
    n := n - 1;
  end loop;

  return query select * from public.rank_chunks_text(p_tenant, p_bot, cand, t, p_count);
end
$$;

-- Full-text ranks of given passages (at most 200), the vector hits search_chunks_text did not rank.
create or replace function public.score_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_ids uuid[], p_lang text default null)
returns table (chunk_id uuid, rank real, coverage real)
language plpgsql stable
set search_path = public, pg_temp
as $$
declare
  t public.fts_terms;
begin
  if coalesce(cardinality(p_ids), 0) = 0 then
    return;
  end if;
  t := public.question_terms(p_tenant, p_query, p_lang);
  if coalesce(cardinality(t.groups), 0) = 0 then
    return;
  end if;
  return query select * from public.rank_chunks_text(p_tenant, p_bot, p_ids[1:200], t, 200);
end
$$;
