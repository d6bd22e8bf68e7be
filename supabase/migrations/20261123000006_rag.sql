-- Knowledge processing for retrieval-augmented answers: background jobs kept in Postgres, the
-- per-chunk facts a citation needs, and hybrid (text + vector) retrieval.

alter table public.knowledge_sources
  add column chunk_count int not null default 0,
  add column last_processed_at timestamptz,
  -- Website sources crawled daily or weekly: when the scheduler should queue the next crawl.
  add column next_crawl_at timestamptz;

alter table public.knowledge_chunks
  -- Denormalised from the source so the vector search filters on one table (the HNSW index can then
  -- be walked with iterative scans instead of a join the planner cannot push into the index).
  add column bot_id uuid references public.bots(id) on delete cascade,
  add column url text,
  add column page_number int,
  add column token_count int not null default 0;

update public.knowledge_chunks c set bot_id = s.bot_id, url = s.url
  from public.knowledge_sources s where s.id = c.source_id;

create index knowledge_chunks_model_idx on public.knowledge_chunks (embedding_model);

-- A source's processing (parse, chunk, embed) or a website crawl, run by the API's worker.
-- pending -> processing -> done | failed; a processing job whose lease expired (the process died) is
-- picked up again; failures retry with backoff until max_attempts.
create table public.knowledge_jobs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid references public.tenants(id) on delete cascade,
  source_id uuid not null references public.knowledge_sources(id) on delete cascade,
  kind text not null check (kind in ('process', 'crawl')),
  status text not null default 'pending' check (status in ('pending', 'processing', 'done', 'failed')),
  attempts int not null default 0,
  max_attempts int not null default 4 check (max_attempts between 1 and 20),
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  locked_by text,
  last_error text,
  result jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index knowledge_jobs_due_idx on public.knowledge_jobs (run_at) where status in ('pending', 'processing');
-- One open job per source: asking twice while one waits does not queue the work twice.
create unique index knowledge_jobs_one_open on public.knowledge_jobs (source_id) where status in ('pending', 'processing');
create trigger knowledge_jobs_touch before update on public.knowledge_jobs for each row execute function public.touch_updated_at();

alter table public.knowledge_jobs enable row level security;
create policy knowledge_jobs_read on public.knowledge_jobs for select to authenticated
  using (tenant_id is not null and public.is_tenant_member(tenant_id));
-- Owners and admins queue work for their own tenant's sources; only the worker (service) runs it.
create policy knowledge_jobs_queue on public.knowledge_jobs for insert to authenticated
  with check (tenant_id is not null and public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant select, insert on public.knowledge_jobs to authenticated;

/**
 * Full-text half of hybrid retrieval: the tenant's chunks plus global ones (tenant NULL), limited to
 * the bot's own sources and the tenant-wide ones. The question is stemmed in every supported language
 * and the lexemes OR-ed (a visitor's language is not known in advance; a question is rarely an AND of
 * all its words). rank: ts_rank_cd, cover density normalised to 0..1; coverage: the share of the
 * question's lexemes (in the chunk's language) that the chunk contains, the figure confidence reads.
 */
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
  )
  select c.id,
         ts_rank_cd(c.fts, tsq.query, 32)::real as rank,
         (select count(*) filter (where c.fts @@ to_tsquery('simple', quote_literal(x)))::real / greatest(count(*), 1)
            from q, unnest(tsvector_to_array(to_tsvector(public.fts_config(c.language), q.uq))) x) as coverage
    from tsq, public.knowledge_chunks c
   where tsq.query is not null
     and c.is_active
     and (c.tenant_id = p_tenant or c.tenant_id is null)
     and (p_bot is null or c.bot_id is null or c.bot_id = p_bot)
     and c.fts @@ tsq.query
   order by rank desc
   limit p_count
$$;
