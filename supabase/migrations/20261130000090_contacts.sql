-- Contacts (seed 004 customers), orders and order items (seed 004, one table each with a tenant column,
-- never a table per agent), meetings (seed 001, booked through Cal.com), and the settings of the
-- assistant's actions. A contact is one person across the widget and every channel.
create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  name text check (length(name) <= 200),
  email text check (length(email) <= 320),
  phone text check (length(phone) <= 50),
  -- How each was learnt: verified (the site's signature or its server), claimed (the visitor said so),
  -- platform (a messaging platform's profile).
  name_source text check (name_source in ('verified', 'claimed', 'platform')),
  email_source text check (email_source in ('verified', 'claimed', 'platform')),
  phone_source text check (phone_source in ('verified', 'claimed', 'platform')),
  attributes jsonb not null default '{}'::jsonb,
  notes text not null default '' check (length(notes) <= 10000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index contacts_tenant_idx on public.contacts (tenant_id, updated_at desc);
create index contacts_email_idx on public.contacts (tenant_id, lower(email)) where email is not null;
create trigger contacts_touch before update on public.contacts for each row execute function public.touch_updated_at();

-- The keys that name a contact: the site's verified user id (kind 'user') or a platform user id
-- (kind = the platform). One contact per key and tenant; merging moves the keys. A claimed e-mail is
-- never a key, so it never joins two people.
create table public.contact_identities (
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  contact_id uuid not null references public.contacts(id) on delete cascade,
  kind text not null check (kind in ('user', 'telegram', 'whatsapp', 'messenger', 'instagram')),
  value text not null check (length(value) between 1 and 200),
  created_at timestamptz not null default now(),
  primary key (tenant_id, kind, value)
);
create index contact_identities_contact_idx on public.contact_identities (contact_id);

alter table public.chatbot_sessions add column contact_id uuid references public.contacts(id) on delete set null;
create index chatbot_sessions_contact_idx on public.chatbot_sessions (contact_id) where contact_id is not null;

create table public.orders (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  contact_id uuid references public.contacts(id) on delete set null,
  -- The shop's own order number ("4512").
  external_id text not null check (length(external_id) between 1 and 100),
  status text not null check (length(status) between 1 and 100),
  currency text check (currency ~ '^[A-Z]{3}$'),
  source text not null default 'api' check (source in ('api', 'csv', 'shop')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, external_id)
);
create index orders_contact_idx on public.orders (contact_id, updated_at desc);
create trigger orders_touch before update on public.orders for each row execute function public.touch_updated_at();

create table public.order_items (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  order_id uuid not null references public.orders(id) on delete cascade,
  position int not null check (position between 0 and 999),
  name text not null check (length(name) between 1 and 300),
  quantity int not null check (quantity between 1 and 1000000),
  unit_price numeric(12, 2) not null check (unit_price >= 0),
  -- The line total is the database's: never sent, never out of step.
  line_total numeric(20, 2) generated always as (quantity * unit_price) stored,
  unique (order_id, position)
);

create table public.meetings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  contact_id uuid references public.contacts(id) on delete set null,
  session_id uuid references public.chatbot_sessions(id) on delete set null,
  -- Cal.com's booking uid.
  cal_uid text not null check (length(cal_uid) between 1 and 200),
  url text check (length(url) <= 2000),
  title text check (length(title) <= 300),
  start_at timestamptz not null,
  end_at timestamptz,
  status text not null default 'scheduled' check (status in ('scheduled', 'completed', 'cancelled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, cal_uid)
);
create index meetings_contact_idx on public.meetings (contact_id, start_at desc);
create index meetings_session_idx on public.meetings (session_id);
create trigger meetings_touch before update on public.meetings for each row execute function public.touch_updated_at();

-- Per tenant: the shop's order-lookup endpoint and Cal.com. Secrets sealed with AES-256-GCM under
-- SECRETS_ENCRYPTION_KEY (api/src/crypto/secrets.ts); members never read them back (no column grant).
create table public.action_settings (
  tenant_id uuid primary key references public.tenants(id) on delete cascade,
  order_lookup_url text check (length(order_lookup_url) <= 2000),
  order_lookup_secret_enc text,
  calcom_api_key_enc text,
  calcom_event_type_id bigint check (calcom_event_type_id > 0),
  -- What the console may know about the secrets: whether one is set.
  has_order_lookup_secret boolean generated always as (order_lookup_secret_enc is not null) stored,
  has_calcom_api_key boolean generated always as (calcom_api_key_enc is not null) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create trigger action_settings_touch before update on public.action_settings for each row execute function public.touch_updated_at();

-- Per bot: which actions the assistant may take ({"orders": false} switches order answers off).
alter table public.bots add column actions jsonb not null default '{}'::jsonb;

do $$
declare t text;
begin
  foreach t in array array['contacts', 'contact_identities', 'orders', 'order_items', 'meetings', 'action_settings']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('create policy parley_app_all on public.%I for all to parley_app using (true) with check (true)', t);
    execute format('grant select, insert, update, delete on public.%I to parley_app', t);
  end loop;
  -- Customer data: every member of the tenant works with it.
  foreach t in array array['contacts', 'contact_identities', 'orders', 'order_items', 'meetings']
  loop
    execute format('create policy %I on public.%I for all to authenticated using (public.is_tenant_member(tenant_id)) with check (public.is_tenant_member(tenant_id))', t || '_members', t);
    execute format('grant select, insert, update, delete on public.%I to authenticated', t);
  end loop;
end $$;
create policy action_settings_admin on public.action_settings for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
revoke all on public.action_settings from authenticated;
grant select (tenant_id, order_lookup_url, calcom_event_type_id, has_order_lookup_secret, has_calcom_api_key, created_at, updated_at), insert, update, delete
  on public.action_settings to authenticated;
