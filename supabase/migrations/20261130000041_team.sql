-- Teammates join by a one-time link; people who forgot their password get one too. Both tokens are
-- stored as SHA-256 hashes only, expire, and are spent by the update that uses them.

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  email text not null check (length(email) between 3 and 320),
  role text not null check (role in ('admin', 'agent')),
  token_hash text not null unique,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references auth.users(id) on delete set null,
  revoked_at timestamptz,
  invited_by uuid references auth.users(id) on delete set null,
  sent_count int not null default 1,
  last_sent_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index invitations_tenant_idx on public.invitations (tenant_id, created_at desc);
-- One open invitation per address and tenant (an expired one is revoked before a new one is made).
create unique index invitations_one_open on public.invitations (tenant_id, lower(email))
  where accepted_at is null and revoked_at is null;
create trigger invitations_touch before update on public.invitations for each row execute function public.touch_updated_at();

alter table public.invitations enable row level security;
alter table public.invitations force row level security;
create policy parley_app_all on public.invitations for all to parley_app using (true) with check (true);
create policy invitations_admin on public.invitations for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
-- Members never read a token hash back; the public accept route works as parley_app.
grant select (id, tenant_id, email, role, expires_at, accepted_at, accepted_by, revoked_at, invited_by,
              sent_count, last_sent_at, created_at, updated_at),
      insert, update, delete on public.invitations to authenticated;

create table public.password_reset_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users(id) on delete cascade,
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index password_reset_tokens_user_idx on public.password_reset_tokens (user_id);
alter table public.password_reset_tokens enable row level security;
alter table public.password_reset_tokens force row level security;
create policy parley_app_all on public.password_reset_tokens for all to parley_app using (true) with check (true);
-- No member policy and no grant: only the public reset routes (as parley_app) touch these rows.
revoke all on public.password_reset_tokens from anon, authenticated;
