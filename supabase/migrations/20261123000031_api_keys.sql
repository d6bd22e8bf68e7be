-- Tenant secret API keys (sk_...) act for their tenant with the role their scope grants. The API sets
-- the key's facts in the request claims only after checking the key's hash, so a caller cannot forge
-- them; the membership helpers accept either a member (auth.uid()) or such a key.
create or replace function public.is_tenant_member(p_tenant uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.tenant_members m where m.tenant_id = p_tenant and m.user_id = auth.uid())
      or coalesce(auth.jwt() -> 'api_key' ->> 'tenant_id', '') = p_tenant::text
$$;
create or replace function public.has_tenant_role(p_tenant uuid, p_roles text[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.tenant_members m
                  where m.tenant_id = p_tenant and m.user_id = auth.uid() and m.role = any (p_roles))
      or (coalesce(auth.jwt() -> 'api_key' ->> 'tenant_id', '') = p_tenant::text
          and auth.jwt() -> 'api_key' ->> 'role' = any (p_roles))
$$;
