-- Conversations: sessions, their messages, escalation rules and escalations, feedback.
create table public.chatbot_sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  channel text not null default 'widget' check (channel in ('widget', 'api', 'email', 'whatsapp')),
  visitor_id text not null check (length(visitor_id) between 1 and 100),
  identified_user_id text,
  -- sha256 of the visitor's bearer token; the token itself is never stored.
  token_hash text not null unique,
  token_expires_at timestamptz not null,
  customer_context jsonb not null default '{}'::jsonb,
  ai_context jsonb not null default '{}'::jsonb,
  status text not null default 'active' check (status in ('active', 'escalated', 'resolved')),
  assignee_id uuid references auth.users(id) on delete set null,
  priority int not null default 3 check (priority between 1 and 5),
  last_seq bigint not null default 0,
  last_message_at timestamptz,
  csat_score int check (csat_score between 1 and 5),
  csat_comment text,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index chatbot_sessions_inbox_idx on public.chatbot_sessions (tenant_id, status, last_message_at desc nulls last);
create index chatbot_sessions_assignee_idx on public.chatbot_sessions (tenant_id, assignee_id) where assignee_id is not null;
create index chatbot_sessions_visitor_idx on public.chatbot_sessions (bot_id, visitor_id);

create table public.chatbot_conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  session_id uuid not null references public.chatbot_sessions(id) on delete cascade,
  -- Per-session order, also the SSE event id the widget resumes from.
  seq bigint not null,
  message_type text not null check (message_type in ('user', 'ai', 'agent', 'system')),
  content text not null,
  ai_metadata jsonb not null default '{}'::jsonb,
  agent_id uuid references auth.users(id) on delete set null,
  client_message_id text check (length(client_message_id) between 1 and 100),
  -- The visitor message an ai message answers: one answer per visitor message.
  reply_to uuid references public.chatbot_conversations(id) on delete cascade,
  private boolean not null default false,
  status text not null default 'complete' check (status in ('complete', 'partial', 'failed')),
  created_at timestamptz not null default now(),
  unique (session_id, seq),
  unique (session_id, client_message_id)
);
create unique index chatbot_conversations_one_reply on public.chatbot_conversations (reply_to) where reply_to is not null;
create index chatbot_conversations_tenant_idx on public.chatbot_conversations (tenant_id, created_at);

create table public.escalation_rules (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  rule_name text not null,
  trigger_keywords text[] not null default '{}',
  trigger_conditions jsonb not null default '{}'::jsonb,
  agent_assignment_logic jsonb not null default '{}'::jsonb,
  priority_level int not null default 3 check (priority_level between 1 and 5),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index escalation_rules_tenant_idx on public.escalation_rules (tenant_id, priority_level) where is_active;

create table public.escalations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  session_id uuid not null references public.chatbot_sessions(id) on delete cascade,
  rule_id uuid references public.escalation_rules(id) on delete set null,
  reason text not null,
  trace jsonb not null default '[]'::jsonb,
  ai_summary text,
  status text not null default 'pending' check (status in ('pending', 'in_progress', 'resolved')),
  priority int not null default 3 check (priority between 1 and 5),
  assignee_id uuid references auth.users(id) on delete set null,
  first_response_at timestamptz,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One open handoff per session at a time.
create unique index escalations_one_open on public.escalations (session_id) where status <> 'resolved';
create index escalations_queue_idx on public.escalations (tenant_id, status, priority);

-- Seed 000: an agent's improved answer to a bot message, or a visitor's thumbs up/down.
create table public.message_feedback (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  session_id uuid not null references public.chatbot_sessions(id) on delete cascade,
  message_id uuid not null references public.chatbot_conversations(id) on delete cascade,
  source text not null check (source in ('visitor', 'agent')),
  rating text check (rating in ('up', 'down')),
  comment text,
  improved_answer text,
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index message_feedback_one_visitor on public.message_feedback (message_id) where source = 'visitor';
create index message_feedback_tenant_idx on public.message_feedback (tenant_id, created_at);

create trigger chatbot_sessions_touch before update on public.chatbot_sessions for each row execute function public.touch_updated_at();
create trigger escalation_rules_touch before update on public.escalation_rules for each row execute function public.touch_updated_at();
create trigger escalations_touch before update on public.escalations for each row execute function public.touch_updated_at();
create trigger message_feedback_touch before update on public.message_feedback for each row execute function public.touch_updated_at();
