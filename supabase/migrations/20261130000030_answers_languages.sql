-- Answers a visitor can trust, in every language the stemmers cover.
--
-- 1. bots.min_confidence: a bot's own answer threshold (0..1). Below it the bot says it does not know
--    and offers a person; null keeps the calibrated default (api/src/answers/answerability.ts, chosen
--    by bench/answers-eval.ts). Owners see it on the bot and in knowledge search results.
-- 2. search_chunks_text stems each word of the question in the seven languages PostgreSQL's snowball
--    stemmers and the widget cover (en, fr, es, pt, de, it, nl), not four: a German question met
--    German passages only through the 'simple' spelling before. Passages were already stemmed in
--    their own language (fts_config); everything else is migration 33's function unchanged.

alter table public.bots add column if not exists min_confidence real
  check (min_confidence is null or (min_confidence >= 0 and min_confidence <= 1));

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
      from words w cross join unnest(array['fr', 'en', 'es', 'pt', 'de', 'it', 'nl']) l
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
