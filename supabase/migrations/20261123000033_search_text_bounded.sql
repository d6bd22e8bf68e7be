-- Full-text retrieval with bounded work, per tenant. Migration 6's version OR-ed every lexeme of the
-- question (in four languages) and ranked every matching row: in a large knowledge base a common word
-- matches thousands of rows, which cost 200 ms at 10k passages and seconds at 100k, and the rows that
-- won were often long passages repeating common words rather than the one naming the product asked about.
--
-- Now each word of the question is a group (its lexemes in the four languages, OR-ed) and candidates
-- come from short GIN lookups that each stop after `cap` rows:
--   1. every row of each rare word (one with at most `cap` rows in scope): the words that tell
--      passages apart, a product, a city, a plan;
--   2. rows holding all the common words together, then all but the last, and so on until enough
--      rows are found (an AND lookup only visits the shortest posting list, so it stays cheap).
-- At most 9 * cap rows are ranked. Words that are stop words in any of the four languages ("the",
-- "de", "como") are left out unless nothing else remains. Sequential scans are off inside the
-- function: the planner otherwise prefers them for queries it cannot estimate, which is every query here.
--
-- The index leads with the tenant (btree_gin): with one GIN index over every tenant's passages, a
-- small tenant sharing the table with a large one paid for the large one (a common word's posting list
-- named thousands of the large tenant's rows, each read from the heap and thrown away by the tenant
-- filter: 94 ms per question for a 300-passage tenant next to a 100k one). Global knowledge (tenant
-- NULL) has its own small partial index; search_chunks_text looks in the two separately.

create extension if not exists btree_gin;

create index knowledge_chunks_tenant_fts_idx on public.knowledge_chunks using gin (tenant_id, fts);
create index knowledge_chunks_global_fts_idx on public.knowledge_chunks using gin (fts) where tenant_id is null;
drop index if exists public.knowledge_chunks_fts_idx;

create or replace function public.search_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_count int)
returns table (chunk_id uuid, rank real, coverage real)
language plpgsql stable
set search_path = public, pg_temp
set enable_seqscan = off
as $$
declare
  uq text := unaccent(left(coalesce(p_query, ''), 2000));
  groups text[];
  common text[] := '{}';
  g text;
  ids uuid[];
  cand uuid[] := '{}';
  anyq tsquery;
  lookup tsquery;
  gq tsquery[];
  k int;
  cap int := greatest(coalesce(p_count, 0), 1) * 4;
begin
  if p_count is null or p_count < 1 then
    return;
  end if;

  -- One group per distinct word (compound words are split into their parts): its lexemes in each
  -- language. Longest words first, a cheap stand-in for rarity; at most 8 words.
  with words as (
    -- Word tokens; compound words (e-mail, est-elle) count as their parts; tags and entities are noise.
    select distinct lower(p.token) as w
      from ts_parse('default', uq) p
     where p.tokid not in (12, 13, 14, 15, 16, 17, 23)
  ), flat as (
    select w.w, l, x
      from words w cross join unnest(array['fr', 'en', 'es', 'pt']) l
      left join lateral unnest(tsvector_to_array(to_tsvector(public.fts_config(l), w.w))) x on true
  ), per_word as (
    select f.w, count(distinct f.l) filter (where f.x is null) as stop_in,
           '(' || string_agg(distinct quote_literal(f.x), ' | ') || ')' as grp
      from flat f group by f.w
  ), kept as (
    select pw.w, pw.grp from per_word pw
     where pw.grp is not null
       and (pw.stop_in = 0 or not exists (select 1 from per_word o where o.stop_in = 0 and o.grp is not null))
  ), distinct_groups as (
    select k.grp, max(length(k.w)) as len from kept k group by k.grp
  )
  select array_agg(grp order by len desc, grp) into groups
    from (select grp, len from distinct_groups order by len desc, grp limit 8) top;

  if coalesce(cardinality(groups), 0) = 0 then
    return;
  end if;
  anyq := to_tsquery('simple', array_to_string(groups, ' | '));

  -- 1. Rare words bring all their rows; common ones are kept for step 2.
  foreach g in array groups loop
    lookup := to_tsquery('simple', g);
    select array_agg(s.id) into ids
      from ((select c.id from public.knowledge_chunks c
              where c.tenant_id = p_tenant and c.fts @@ lookup and c.is_active
                and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
              limit cap + 1)
            union all
            (select c.id from public.knowledge_chunks c
              where c.tenant_id is null and c.fts @@ lookup and c.is_active
              limit cap + 1)
            limit cap + 1) s;
    if coalesce(cardinality(ids), 0) <= cap then
      cand := cand || coalesce(ids, '{}');
    else
      common := common || g;
    end if;
  end loop;

  -- 2. Common words together, dropping the shortest until enough rows are found.
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

  -- Coverage: the share of the question's words (the groups above, whatever their language) the row
  -- contains. Counting lexemes in the row's own language instead let another language's stop words
  -- ("du", "l'") count against every row in that language.
  select array_agg(to_tsquery('simple', x)) into gq from unnest(groups) x;

  return query
  with cand_rows as (
    select c.id, c.fts from public.knowledge_chunks c
     where c.id = any(cand)
  ), scored as (
    select r.id, ts_rank_cd(r.fts, anyq, 32)::real as r,
           ((select count(*) from unnest(gq) q where r.fts @@ q)::real / cardinality(gq))::real as cov
      from cand_rows r
  )
  select s.id, s.r, s.cov
    from scored s
   order by 0.7 * s.cov + 0.3 * s.r desc, s.id
   limit p_count;
end
$$;
