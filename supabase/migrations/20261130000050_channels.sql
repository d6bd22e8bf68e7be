-- Channels (seed 001 social_accounts, seed 004 whatsapp_configuration, seed 000 external_conversations):
-- a tenant's accounts on messaging platforms, one table for every platform with a tenant column and
-- RLS (never a table per tenant or agent). A channel conversation is a chatbot_sessions row with its
-- account and the platform user's id: one per user per account.
create table public.social_accounts (
  id uuid primary key,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  platform text not null check (platform in ('telegram', 'whatsapp', 'messenger', 'instagram')),
  -- The platform's id of the account: WhatsApp phone number id, page id, Instagram account id, Telegram bot id.
  account_id text not null check (length(account_id) between 1 and 100),
  business_account_id text check (length(business_account_id) between 1 and 100),
  account_username text,
  -- AES-256-GCM under SECRETS_ENCRYPTION_KEY, with the key id in each value (api/src/crypto/secrets.ts).
  access_token_enc text not null,
  app_secret_enc text,
  -- sha256 of the webhook secret the platform presents (Meta's verify token, Telegram's secret_token).
  webhook_secret_hash text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (platform, account_id)
);
create index social_accounts_tenant_idx on public.social_accounts (tenant_id);
create trigger social_accounts_touch before update on public.social_accounts for each row execute function public.touch_updated_at();

-- A channel account's bot must be one of its own tenant's bots (a foreign key alone ignores RLS).
create or replace function public.social_accounts_bot_guard() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.bots b where b.id = new.bot_id and b.tenant_id = new.tenant_id) then
    raise exception 'bot % is not a bot of this tenant', new.bot_id using errcode = '23503';
  end if;
  return new;
end $$;
revoke all on function public.social_accounts_bot_guard() from public;
create trigger social_accounts_bot_guard before insert or update of bot_id, tenant_id on public.social_accounts
  for each row execute function public.social_accounts_bot_guard();

alter table public.chatbot_sessions drop constraint if exists chatbot_sessions_channel_check;
alter table public.chatbot_sessions add constraint chatbot_sessions_channel_check
  check (channel in ('widget', 'api', 'email', 'whatsapp', 'telegram', 'messenger', 'instagram'));
alter table public.chatbot_sessions
  add column channel_account_id uuid references public.social_accounts(id) on delete set null,
  add column external_user_id text check (length(external_user_id) between 1 and 100),
  add column external_user_name text check (length(external_user_name) <= 200),
  add column external_user_phone text check (length(external_user_phone) <= 50),
  add column external_user_handle text check (length(external_user_handle) <= 100);
create unique index chatbot_sessions_channel_user on public.chatbot_sessions (tenant_id, channel_account_id, external_user_id)
  where channel_account_id is not null;
create index chatbot_sessions_channel_idx on public.chatbot_sessions (tenant_id, channel);

-- Inbound events, stored by the webhook before it answers and worked by the channel worker (leased
-- jobs). The unique key is the platform's id (Telegram update_id, Meta message id): a platform's retry
-- of an event already stored adds nothing.
create table public.channel_events (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  account_id uuid not null references public.social_accounts(id) on delete cascade,
  event_key text not null check (length(event_key) between 1 and 200),
  -- The platform user the event comes from: one user's events are worked one at a time, in order.
  user_key text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'processing', 'done', 'failed')),
  attempts int not null default 0,
  max_attempts int not null default 5,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (account_id, event_key)
);
create index channel_events_due_idx on public.channel_events (run_at) where status in ('pending', 'processing');
create index channel_events_user_idx on public.channel_events (account_id, user_key, id) where status in ('pending', 'processing');
create trigger channel_events_touch before update on public.channel_events for each row execute function public.touch_updated_at();

-- The outbox: a row per outgoing message of a channel session (answers, agent replies, system texts),
-- written in the message's own transaction and sent after commit with retries.
create table public.channel_outbox (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  account_id uuid not null references public.social_accounts(id) on delete cascade,
  session_id uuid not null references public.chatbot_sessions(id) on delete cascade,
  message_id uuid not null unique references public.chatbot_conversations(id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts int not null default 0,
  run_at timestamptz not null default now(),
  locked_at timestamptz,
  last_error text,
  platform_message_ids text[] not null default '{}',
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index channel_outbox_due_idx on public.channel_outbox (run_at) where status in ('pending', 'sending');
create index channel_outbox_platform_ids on public.channel_outbox using gin (platform_message_ids);
create trigger channel_outbox_touch before update on public.channel_outbox for each row execute function public.touch_updated_at();

-- RLS: owners and admins manage accounts (never reading the secrets: no column grant); the queues are
-- the worker's (parley_app), members only read them.
do $$
declare t text;
begin
  foreach t in array array['social_accounts', 'channel_events', 'channel_outbox']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('create policy parley_app_all on public.%I for all to parley_app using (true) with check (true)', t);
    execute format('grant select, insert, update, delete on public.%I to parley_app', t);
  end loop;
end $$;
create policy social_accounts_admin on public.social_accounts for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
revoke all on public.social_accounts from authenticated;
grant select (id, tenant_id, bot_id, platform, account_id, business_account_id, account_username, is_active, created_at, updated_at),
  insert, update, delete on public.social_accounts to authenticated;
create policy channel_events_read on public.channel_events for select to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']));
create policy channel_outbox_read on public.channel_outbox for select to authenticated
  using (public.is_tenant_member(tenant_id));
-- An agent's reply queues its own send (conversations/messages.ts insertMessage, in the member's transaction).
create policy channel_outbox_queue on public.channel_outbox for insert to authenticated
  with check (public.is_tenant_member(tenant_id));
revoke all on public.channel_events, public.channel_outbox from authenticated;
grant select on public.channel_events, public.channel_outbox to authenticated;
grant insert on public.channel_outbox to authenticated;
