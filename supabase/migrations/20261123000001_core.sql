-- Core: tenants, their members, bots, prompts, widget configs and API keys.
create extension if not exists vector;
create extension if not exists unaccent;

-- Keeps updated_at honest on every table that has one.
create or replace function public.touch_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  -- timezone, business_hours, language, escalation_email
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.tenant_members (
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  user_id uuid not null references auth.users(id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'agent')),
  display_name text,
  availability text not null default 'offline' check (availability in ('online', 'away', 'offline')),
  capacity int not null default 5 check (capacity between 0 and 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index tenant_members_user_idx on public.tenant_members (user_id);

create table public.bots (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  persona text not null default '',
  model text,
  temperature real not null default 0.2 check (temperature between 0 and 2),
  max_tokens int not null default 600 check (max_tokens between 16 and 8000),
  status text not null default 'active' check (status in ('active', 'paused', 'archived')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index bots_tenant_idx on public.bots (tenant_id);

-- Seed 000: prompts are versioned per bot and type; versions number themselves; one active per type.
create table public.prompt_versions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  prompt_type text not null check (prompt_type in ('principal', 'triagem', 'think')),
  version int not null,
  content text not null,
  is_active boolean not null default false,
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (bot_id, prompt_type, version)
);
create unique index prompt_versions_one_active on public.prompt_versions (bot_id, prompt_type) where is_active;

create or replace function public.prompt_versions_number() returns trigger language plpgsql as $$
begin
  -- Serialise numbering per bot and type so two concurrent inserts never take the same number.
  perform pg_advisory_xact_lock(hashtext(new.bot_id::text || new.prompt_type));
  select coalesce(max(version), 0) + 1 into new.version
    from public.prompt_versions where bot_id = new.bot_id and prompt_type = new.prompt_type;
  if new.is_active then
    update public.prompt_versions set is_active = false
     where bot_id = new.bot_id and prompt_type = new.prompt_type and is_active;
  end if;
  return new;
end $$;
create trigger prompt_versions_number before insert on public.prompt_versions
  for each row execute function public.prompt_versions_number();

-- Seed 002: one widget per bot, named publicly by its publishable key.
create table public.widget_configs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null unique references public.bots(id) on delete cascade,
  publishable_key text not null unique check (publishable_key ~ '^pk_[A-Za-z0-9_]{4,64}$'),
  allowed_origins text[] not null default '{}',
  theme jsonb not null default '{}'::jsonb,
  greeting text not null default '',
  suggestions text[] not null default '{}',
  language text not null default 'auto',
  identity_secret text,
  identity_mode text not null default 'off' check (identity_mode in ('off', 'optional', 'required')),
  business_hours jsonb,
  offline_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index widget_configs_tenant_idx on public.widget_configs (tenant_id);

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  name text not null,
  prefix text not null,
  key_hash text not null unique,
  scopes text[] not null default '{read}',
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index api_keys_tenant_idx on public.api_keys (tenant_id);

create trigger tenants_touch before update on public.tenants for each row execute function public.touch_updated_at();
create trigger tenant_members_touch before update on public.tenant_members for each row execute function public.touch_updated_at();
create trigger bots_touch before update on public.bots for each row execute function public.touch_updated_at();
create trigger prompt_versions_touch before update on public.prompt_versions for each row execute function public.touch_updated_at();
create trigger widget_configs_touch before update on public.widget_configs for each row execute function public.touch_updated_at();
create trigger api_keys_touch before update on public.api_keys for each row execute function public.touch_updated_at();
