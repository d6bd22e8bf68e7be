-- Handoff to people: rule descriptions, fair assignment, canned replies, tenant webhooks and their
-- delivery outbox.

alter table public.escalation_rules add column description text;

-- An optional pre-chat form: {"fields": [{"name", "label", "type": "text" | "email", "required"}]}.
alter table public.widget_configs add column prechat jsonb;

-- Round robin needs to know who was given a conversation last.
alter table public.tenant_members add column last_assigned_at timestamptz;

alter table public.escalations
  add column assigned_at timestamptz,
  -- How the handoff ended: resolved by an agent, or handed back to the bot.
  add column outcome text check (outcome in ('resolved', 'handed_back'));

create table public.canned_replies (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  shortcut text not null check (shortcut ~ '^[a-z0-9_-]{1,40}$'),
  title text not null check (length(title) between 1 and 200),
  content text not null check (length(content) between 1 and 8000),
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, shortcut)
);
create trigger canned_replies_touch before update on public.canned_replies for each row execute function public.touch_updated_at();
alter table public.canned_replies enable row level security;
create policy canned_replies_read on public.canned_replies for select to authenticated using (public.is_tenant_member(tenant_id));
create policy canned_replies_write on public.canned_replies for all to authenticated
  using (public.is_tenant_member(tenant_id)) with check (public.is_tenant_member(tenant_id));
grant select, insert, update, delete on public.canned_replies to authenticated;

-- One signed webhook per tenant. The secret is shown once at creation, never read back by members.
create table public.tenant_webhooks (
  tenant_id uuid primary key references public.tenants(id) on delete cascade,
  url text not null check (url ~ '^https?://' and length(url) <= 2000),
  secret text not null,
  events text[] not null default array['escalation.created'],
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger tenant_webhooks_touch before update on public.tenant_webhooks for each row execute function public.touch_updated_at();
alter table public.tenant_webhooks enable row level security;
create policy tenant_webhooks_admin on public.tenant_webhooks for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant select (tenant_id, url, events, is_active, created_at, updated_at), insert, update, delete on public.tenant_webhooks to authenticated;

-- The outbox: written in the escalation's transaction, delivered after commit with retries, so a
-- crash between the two never loses a notification (pending rows are picked up again).
create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  event text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivering', 'delivered', 'failed')),
  attempts int not null default 0,
  last_status int,
  last_error text,
  next_attempt_at timestamptz not null default now(),
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at) where status in ('pending', 'delivering');
create trigger webhook_deliveries_touch before update on public.webhook_deliveries for each row execute function public.touch_updated_at();
alter table public.webhook_deliveries enable row level security;
create policy webhook_deliveries_read on public.webhook_deliveries for select to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant select on public.webhook_deliveries to authenticated;
