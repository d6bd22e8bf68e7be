-- Derived daily figures (seed 003 agent_analytics, seed 001 topics_daily).
create table public.agent_analytics (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  agent_id uuid not null references auth.users(id) on delete cascade,
  date date not null default current_date,
  conversations_handled int not null default 0,
  avg_first_response_seconds real not null default 0,
  avg_resolution_minutes real not null default 0,
  customer_satisfaction_score real not null default 0,
  ai_escalations_received int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, agent_id, date)
);

create table public.topics_daily (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  date date not null,
  topic text not null,
  message_count int not null default 0,
  escalation_count int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, date, topic)
);

create trigger agent_analytics_touch before update on public.agent_analytics for each row execute function public.touch_updated_at();
create trigger topics_daily_touch before update on public.topics_daily for each row execute function public.touch_updated_at();
