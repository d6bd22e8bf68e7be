-- Analytics (issue 16): one row of figures per conversation (session), computed from its messages,
-- escalations, feedback and rating, and read by GET /v1/tenants/:t/analytics. A cache, never the truth:
-- a row older than its session's last change (chatbot_sessions.updated_at moves with every message,
-- status change and rating) is recomputed at query time; the analytics job refreshes closed days
-- (and rows whose messages got feedback since) so a long range reads rows, not a million messages.
create table public.analytics_sessions (
  session_id uuid primary key references public.chatbot_sessions(id) on delete cascade,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  -- The session's start (chatbot_sessions.created_at): the day it counts on, in the tenant's timezone.
  started_at timestamptz not null,
  -- At least one visitor message: only those are conversations.
  has_visitor boolean not null,
  escalated boolean not null,
  ai_resolved boolean not null,
  repeated_question boolean not null,
  abandoned_after_decline boolean not null,
  first_response_s real,
  human_first_response_s real,
  resolution_s real,
  csat int,
  thumbs_up int not null default 0,
  thumbs_down int not null default 0,
  computed_at timestamptz not null default now()
);
create index analytics_sessions_range_idx on public.analytics_sessions (tenant_id, started_at);

-- Topics (seed 001 topics_daily): the day's visitor questions clustered per tenant. The row is one
-- cluster: its rank of the day (topic_id), label, keywords, share and a few sample message ids.
alter table public.topics_daily
  add column topic_id int not null default 0,
  add column label text not null default '' check (length(label) <= 200),
  add column keywords text[] not null default '{}',
  add column percentage numeric(5, 2) not null default 0,
  add column sample_messages jsonb not null default '[]'::jsonb;
create unique index topics_daily_rank on public.topics_daily (tenant_id, date, topic_id);

-- RLS like every table: the API's role reaches rows through its own policy; members read their tenants'.
alter table public.analytics_sessions enable row level security;
alter table public.analytics_sessions force row level security;
create policy parley_app_all on public.analytics_sessions for all to parley_app using (true) with check (true);
create policy analytics_sessions_read on public.analytics_sessions for select to authenticated
  using (public.is_tenant_member(tenant_id));
grant select, insert, update, delete on public.analytics_sessions to parley_app;
revoke all on public.analytics_sessions from authenticated;
grant select on public.analytics_sessions to authenticated;

-- How far the analytics job got per tenant: every session changed before facts_through (and every
-- feedback given before it) has a fresh analytics_sessions row, so a query recomputes only what
-- changed since (chatbot_sessions by (tenant_id, updated_at), message_feedback by (tenant_id, created_at)).
create table public.analytics_state (
  tenant_id uuid primary key references public.tenants(id) on delete cascade,
  facts_through timestamptz,
  -- The last day (tenant's timezone) the daily topics job clustered.
  topics_through date,
  updated_at timestamptz not null default now()
);
create trigger analytics_state_touch before update on public.analytics_state for each row execute function public.touch_updated_at();
alter table public.analytics_state enable row level security;
alter table public.analytics_state force row level security;
create policy parley_app_all on public.analytics_state for all to parley_app using (true) with check (true);
create policy analytics_state_read on public.analytics_state for select to authenticated
  using (public.is_tenant_member(tenant_id));
grant select, insert, update, delete on public.analytics_state to parley_app;
revoke all on public.analytics_state from authenticated;
grant select on public.analytics_state to authenticated;

create index chatbot_sessions_started_idx on public.chatbot_sessions (tenant_id, created_at);
create index chatbot_sessions_changed_idx on public.chatbot_sessions (tenant_id, updated_at);
create index escalations_tenant_created_idx on public.escalations (tenant_id, created_at);
