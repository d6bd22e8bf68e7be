-- Full-text retrieval with bounded work. The previous version OR-ed every lexeme of the question (in
-- four languages) and ranked every matching row: in a large knowledge base a common word matches
-- thousands of rows, which cost 200 ms at 10k passages and seconds at 100k, and the rows that won
-- were often long passages repeating common words rather than the one naming the product asked about.
--
-- Now each word of the question is a group (its lexemes in the four languages, OR-ed) and candidates
-- come from short GIN lookups that each stop after `cap` rows:
--   1. every row of each rare word (one with at most `cap` rows in scope): the words that tell
--      passages apart, a product, a city, a plan;
--   2. rows holding all the common words together, then all but the last, and so on until enough
--      rows are found (an AND lookup only visits the shortest posting list, so it stays cheap).
-- At most 9 * cap rows are ranked. Words that are stop words in any of the four languages ("the",
-- "de", "como") are left out unless nothing else remains. Coverage is computed as before (the share
-- of the question's lexemes, in the row's language, that the row contains), so confidence means the
-- same thing. Sequential scans are off inside the function: the planner otherwise prefers them for
-- queries it cannot estimate, which is every query here.

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
  k int;
  cap int := greatest(coalesce(p_count, 0), 1) * 4;
begin
  if p_count is null or p_count < 1 then
    return;
  end if;

  -- One group per distinct word (compound words are split into their parts): its lexemes in each
  -- language. Longest words first, a cheap stand-in for rarity; at most 8 words.
  with words as (
    select distinct lower(t.token) as w
      from ts_debug('simple', uq) t
     where t.alias not in ('blank', 'asciihword', 'hword', 'numhword')
  ), classified as (
    select w, (select count(*) from unnest(array['fr', 'en', 'es', 'pt']) l
                where to_tsvector(public.fts_config(l), w) = ''::tsvector) as stop_in
      from words
  ), kept as (
    select w from classified
     where stop_in = 0 or not exists (select 1 from classified where stop_in = 0)
  ), grouped as (
    select k.w, (select '(' || string_agg(distinct quote_literal(lex), ' | ') || ')'
                   from unnest(array['fr', 'en', 'es', 'pt']) l,
                        unnest(tsvector_to_array(to_tsvector(public.fts_config(l), k.w))) lex) as grp
      from kept k
  ), distinct_groups as (
    select grp, max(length(w)) as len from grouped where grp is not null group by grp
  )
  select array_agg(grp order by len desc, grp) into groups
    from (select grp, len from distinct_groups order by len desc, grp limit 8) top;

  if coalesce(cardinality(groups), 0) = 0 then
    return;
  end if;
  anyq := to_tsquery('simple', array_to_string(groups, ' | '));

  -- 1. Rare words bring all their rows; common ones are kept for step 2.
  foreach g in array groups loop
    select array_agg(s.id) into ids
      from (select c.id from public.knowledge_chunks c
             where c.fts @@ to_tsquery('simple', g) and c.is_active
               and coalesce(c.tenant_id, p_tenant) = p_tenant
               and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
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
    select array_agg(s.id) into ids
      from (select c.id from public.knowledge_chunks c
             where c.fts @@ to_tsquery('simple', array_to_string(common[1:k], ' & ')) and c.is_active
               and coalesce(c.tenant_id, p_tenant) = p_tenant
               and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
             limit cap) s;
    cand := cand || coalesce(ids, '{}');
    exit when coalesce(cardinality(ids), 0) >= p_count;
    k := k - 1;
  end loop;

  return query
  with cand_rows as (
    select c.id, c.fts, c.language from public.knowledge_chunks c
     where c.id = any(cand)
  ), langs as (
    select distinct r.language from cand_rows r
  ), question as (
    -- The question's lexemes in each candidate language, parsed once rather than once per row.
    select l.language, array_agg(to_tsquery('simple', quote_literal(x))) as lexemes
      from langs l, unnest(tsvector_to_array(to_tsvector(public.fts_config(l.language), uq))) x
     group by l.language
  ), scored as (
    select r.id, ts_rank_cd(r.fts, anyq, 32)::real as r,
           coalesce((select count(*) filter (where r.fts @@ x) from unnest(q.lexemes) x)::real
                    / greatest(cardinality(q.lexemes), 1), 0)::real as cov
      from cand_rows r left join question q on q.language = r.language
  )
  select s.id, s.r, s.cov
    from scored s
   order by 0.7 * s.cov + 0.3 * s.r desc, s.id
   limit p_count;
end
$$;
