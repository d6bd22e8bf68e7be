-- Full text matched in the passage's own language; candidates that may lack any one of the question's words.
--
-- 1. A question's word is stemmed in the seven languages, and a passage matched any of those stems.
--    Stems of different languages collide: Spanish and Italian stem "vélo" to `vel`, which is the French
--    stem of the brand "Vela", so a French question about a "casque de vélo" counted every French Vela
--    passage as holding "vélo". A passage is stemmed in its own language (fts_config), so that
--    language's stem of the word is the one that can match it. search_chunks_text takes the question's
--    language (p_lang, optional): passages in that language are matched by its stems only; passages in
--    other languages still by any language's stem (cognates: "garantie" finds "garantía"), and every
--    passage so when the language is not given.
-- 2. Common words (in more passages than the candidate cap) were AND-ed rarest first, dropping the most
--    common until enough rows came back, so a passage lacking the rarest of them could never be a
--    candidate, however well it matched the rest. The first step down from all of them now takes
--    passages holding every word but one, any one. (Every n-subset for every n was measured too: one
--    French and one German question more of 1,000, for three times the index work and a 4 ms longer
--    full-text p95.)
-- Measured by bench/retrieval.ts at 10k passages (the closing note of issue 15 has the tables). The
-- ranking (BM25 over per-tenant term statistics) and the returned columns are migration 100's.

drop function if exists public.search_chunks_text(uuid, uuid, text, int);
create or replace function public.search_chunks_text(p_tenant uuid, p_bot uuid, p_query text, p_count int, p_lang text default null)
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
  q_cfg regconfig[];
  v_lang regconfig := nullif(public.fts_config(p_lang), 'simple'::regconfig);
  common text[] := '{}';
  ids uuid[];
  cand uuid[] := '{}';
  lookup tsquery;
  idf real[];
  n_docs real;
  avg_len real;
  i int;
  k int;
  n int;
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
  , chosen as (
    select c.grp, c.df, row_number() over (order by c.df, c.len desc, c.grp)::int as j
      from (select * from counted order by df, len desc, grp limit 10) c
  ), lexes as (
    -- Each chosen word's lexemes, once each (cfg null: what a passage in another language is matched
    -- by), and its stem in the question's language (cfg v_lang: what a passage in it is matched by).
    select distinct f.x, ch.j, case when q.own then v_lang end as cfg
      from chosen ch join kept kp on kp.grp = ch.grp join flat f on f.w = kp.w
           cross join (values (false), (true)) q(own)
     where f.x is not null and (not q.own or public.fts_config(f.l) = v_lang)
  )
  select (select array_agg(ch.grp order by ch.j) from chosen ch), (select array_agg(ch.df order by ch.j) from chosen ch),
         (select array_agg(l.x) from lexes l), (select array_agg(l.j) from lexes l), (select array_agg(l.cfg) from lexes l)
    into groups, dfs, q_lex, q_idx, q_cfg;

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
    n := n - 1;
  end loop;

  -- Each word's idf.
  select array_agg(ln(1 + (n_docs - least(d, n_docs) + 0.5) / (least(d, n_docs) + 0.5))::real order by o)
    into idf
    from unnest(groups, dfs) with ordinality as u(g, d, o);

  return query
  with cand_rows as (
    select c.id, c.fts, length(c.fts)::real as len, public.fts_config(c.language) as cfg from public.knowledge_chunks c
     where c.id = any(cand)
  ), qmap as (
    select * from unnest(q_lex, q_idx, q_cfg) as m(lex, j, cfg)
  ), per_group as (
    select r.id, r.len, m.j, least(sum(coalesce(cardinality(u.positions), 1)), 3) + max(case when 'A' = any(u.weights) then 1 else 0 end) as tf
      from cand_rows r cross join lateral unnest(r.fts) u
      join qmap m on m.lex = u.lexeme and m.cfg is not distinct from (case when r.cfg = v_lang then v_lang end)
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
