-- Rate limits and the daily LLM token budget, shared by every API process over the same database.
-- Both live in app_private: never exposed through PostgREST, no grants to anon/authenticated, and RLS
-- on with no policies, so even a mistaken grant would show nothing. The API's own (owner) role
-- bypasses RLS and is the only writer.

create schema if not exists app_private;
revoke all on schema app_private from public;

-- The columns rate-limiter-flexible's RateLimiterPostgres reads and writes (key, points, expire as
-- epoch milliseconds); it runs with tableCreated: true so it never issues DDL at run time.
-- key is text, not the library's varchar(255): the API hashes long keys, but a long one must not
-- turn a request into a 500.
create table if not exists app_private.rate_limits (
  key text primary key,
  points integer not null default 0,
  expire bigint
);
-- clear_expired deletes by expire; without this index it scans the table.
create index if not exists rate_limits_expire_idx on app_private.rate_limits (expire);
alter table app_private.rate_limits enable row level security;

-- LLM tokens spent per tenant per UTC day: one row per (tenant, day), bumped by an atomic upsert.
create table if not exists app_private.llm_token_usage (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  day date not null,
  tokens bigint not null default 0 check (tokens >= 0),
  primary key (tenant_id, day)
);
alter table app_private.llm_token_usage enable row level security;
