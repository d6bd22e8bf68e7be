-- Knowledge: sources (documents, websites, FAQs), crawled pages and the searchable chunks.

-- The text-search configuration for a language code; 'simple' for languages without a stemmer here.
create or replace function public.fts_config(lang text) returns regconfig language sql immutable as $$
  select case lower(coalesce(lang, ''))
    when 'fr' then 'french' when 'en' then 'english' when 'es' then 'spanish'
    when 'pt' then 'portuguese' when 'de' then 'german' when 'it' then 'italian'
    when 'nl' then 'dutch' else 'simple' end::regconfig
$$;

create table public.knowledge_sources (
  id uuid primary key default gen_random_uuid(),
  -- NULL: global knowledge, readable by every tenant (seed 003 ai_knowledge_base).
  tenant_id uuid references public.tenants(id) on delete cascade,
  bot_id uuid references public.bots(id) on delete cascade,
  kind text not null check (kind in ('faq', 'document', 'website', 'text')),
  title text not null check (length(title) between 1 and 500),
  -- FAQ answer or pasted text; documents keep their bytes in storage (storage_key).
  body text,
  url text,
  language text not null default 'en',
  storage_key text,
  mime_type text,
  byte_size bigint,
  status text not null default 'ready' check (status in ('pending', 'processing', 'ready', 'failed')),
  error text,
  crawl_frequency text check (crawl_frequency in ('manual', 'daily', 'weekly')),
  max_pages int,
  metadata jsonb not null default '{}'::jsonb,
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index knowledge_sources_tenant_idx on public.knowledge_sources (tenant_id, kind);

create table public.website_pages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  source_id uuid not null references public.knowledge_sources(id) on delete cascade,
  url text not null,
  title text,
  content_hash text,
  status text not null default 'pending' check (status in ('pending', 'ready', 'failed', 'removed')),
  error text,
  last_crawled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (source_id, url)
);

create table public.knowledge_chunks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid references public.tenants(id) on delete cascade,
  source_id uuid not null references public.knowledge_sources(id) on delete cascade,
  page_id uuid references public.website_pages(id) on delete cascade,
  chunk_index int not null default 0,
  title text,
  heading_path text[] not null default '{}',
  content text not null,
  language text not null default 'en',
  -- Dimension-free so the embedding model can change; a later migration adds the HNSW index per model.
  embedding vector,
  embedding_model text,
  -- Accent-insensitive and stemmed in the chunk's own language; the title weighs more than the body.
  fts tsvector,
  usage_count int not null default 0,
  effectiveness_score real not null default 0,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (source_id, page_id, chunk_index)
);
create index knowledge_chunks_fts_idx on public.knowledge_chunks using gin (fts);
create index knowledge_chunks_source_idx on public.knowledge_chunks (source_id);
create index knowledge_chunks_tenant_idx on public.knowledge_chunks (tenant_id);

-- unaccent() is only STABLE, so fts is kept by a trigger rather than a generated column.
create or replace function public.knowledge_chunks_fts() returns trigger language plpgsql as $$
begin
  new.fts := setweight(to_tsvector(public.fts_config(new.language), unaccent(coalesce(new.title, ''))), 'A')
          || setweight(to_tsvector(public.fts_config(new.language), unaccent(new.content)), 'B');
  return new;
end $$;
create trigger knowledge_chunks_fts before insert or update of title, content, language on public.knowledge_chunks
  for each row execute function public.knowledge_chunks_fts();

create trigger knowledge_sources_touch before update on public.knowledge_sources for each row execute function public.touch_updated_at();
create trigger website_pages_touch before update on public.website_pages for each row execute function public.touch_updated_at();
create trigger knowledge_chunks_touch before update on public.knowledge_chunks for each row execute function public.touch_updated_at();

/**
 * Full-text retrieval over a tenant's chunks plus global ones. The question is stemmed in every
 * supported language and the lexemes are OR-ed, because a visitor's language is not known in advance
 * and a question is rarely an AND of all its words. Rank: ts_rank_cd (cover density, so words close
 * together in a short passage win, normalised to 0..1 by rank/(rank+1)); coverage is the share of the
 * question's lexemes (in the chunk's language) that the chunk contains, the figure a confidence
 * threshold can read.
 */
create or replace function public.search_chunks_fts(p_tenant uuid, p_query text, p_count int, p_kind text default null)
returns table (chunk_id uuid, source_id uuid, title text, content text, url text, language text, rank real, coverage real)
language sql stable as $$
  with q as (
    select unaccent(p_query) as uq
  ), langs as (
    select l, public.fts_config(l) as cfg from unnest(array['fr', 'en', 'es', 'pt']) l
  ), lexemes as (
    select distinct lex from langs, q, unnest(tsvector_to_array(to_tsvector(langs.cfg, q.uq))) lex
  ), tsq as (
    select to_tsquery('simple', string_agg(quote_literal(lex), ' | ')) as query from lexemes
  )
  select c.id, c.source_id, c.title, c.content, s.url, c.language,
         ts_rank_cd(c.fts, tsq.query, 32)::real as rank,
         (select count(*) filter (where c.fts @@ to_tsquery('simple', quote_literal(x)))::real
                 / greatest(count(*), 1)
            from q, unnest(tsvector_to_array(to_tsvector(public.fts_config(c.language), q.uq))) x) as coverage
    from tsq, public.knowledge_chunks c
    join public.knowledge_sources s on s.id = c.source_id
   where tsq.query is not null
     and c.is_active and s.status = 'ready'
     and (c.tenant_id = p_tenant or c.tenant_id is null)
     and (p_kind is null or s.kind = p_kind)
     and c.fts @@ tsq.query
   order by rank desc
   limit p_count
$$;
