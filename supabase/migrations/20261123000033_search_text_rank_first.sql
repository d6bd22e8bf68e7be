-- Full-text retrieval ranked first, coverage after: the question's lexemes (all four languages, OR-ed)
-- match a large share of a big table, and computing coverage for every match made the function cost
-- seconds at 100k passages. Coverage is now computed only for the rows that made the cut.
create or replace function public.search_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_count int)
returns table (chunk_id uuid, rank real, coverage real)
language sql stable as $$
  with q as (
    select unaccent(p_query) as uq
  ), lexemes as (
    select distinct lex from q, unnest(array['fr', 'en', 'es', 'pt']) l,
           unnest(tsvector_to_array(to_tsvector(public.fts_config(l), q.uq))) lex
  ), tsq as (
    select to_tsquery('simple', string_agg(quote_literal(lex), ' | ')) as query from lexemes
  ), top as (
    select c.id, c.fts, c.language, ts_rank_cd(c.fts, tsq.query, 32)::real as rank
      from tsq, public.knowledge_chunks c
     where tsq.query is not null
       and c.is_active
       and (c.tenant_id = p_tenant or c.tenant_id is null)
       and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
       and c.fts @@ tsq.query
     order by rank desc
     limit p_count
  )
  select top.id, top.rank,
         (select count(*) filter (where top.fts @@ to_tsquery('simple', quote_literal(x)))::real / greatest(count(*), 1)
            from q, unnest(tsvector_to_array(to_tsvector(public.fts_config(top.language), q.uq))) x) as coverage
    from top
   order by top.rank desc
$$;
