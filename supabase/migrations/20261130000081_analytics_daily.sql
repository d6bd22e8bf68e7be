-- Daily rollup of analytics_sessions per tenant, bot and day (in the tenant's timezone, kept in the
-- row: a changed timezone makes the rows unusable, and they are rebuilt). A long range reads at most a
-- row per bot and day instead of every conversation. Response and resolution times are kept as sparse
-- histograms ({"fr:12": 3}: 3 first responses in bucket 12, buckets 2^(i/8) - 1 seconds wide apart)
-- for the ranges too large for exact percentiles.
create table public.analytics_daily (
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  day date not null,
  tz text not null,
  conversations int not null,
  ai_resolved int not null,
  escalated int not null,
  csat_sum int not null,
  csat_count int not null,
  thumbs_up int not null,
  thumbs_down int not null,
  hist jsonb not null default '{}'::jsonb,
  computed_at timestamptz not null default now(),
  primary key (tenant_id, day, bot_id)
);
alter table public.analytics_daily enable row level security;
alter table public.analytics_daily force row level security;
create policy parley_app_all on public.analytics_daily for all to parley_app using (true) with check (true);
create policy analytics_daily_read on public.analytics_daily for select to authenticated
  using (public.is_tenant_member(tenant_id));
grant select, insert, update, delete on public.analytics_daily to parley_app;
revoke all on public.analytics_daily from authenticated;
grant select on public.analytics_daily to authenticated;

-- Every closed day up to rolled_through (in rollup_tz) has its analytics_daily rows (a day without
-- conversations has none); later days are computed from analytics_sessions.
alter table public.analytics_state
  add column rolled_through date,
  add column rollup_tz text;

-- The analytics job reads a batch of sessions' feedback and escalations by session.
create index message_feedback_session_idx on public.message_feedback (session_id);
create index escalations_session_idx on public.escalations (session_id);
