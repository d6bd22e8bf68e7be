-- A tenant secret key acts for its own tenant only. Its claims carry the sub of the member who created
-- it (for audit columns), so the membership helpers used to accept that member's other tenants too:
-- with an api_key claim, only the key's tenant counts. A key cannot create a tenant, nor change the
-- creator's own member rows elsewhere.
create or replace function public.is_tenant_member(p_tenant uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select case when auth.jwt() -> 'api_key' is not null
    then coalesce(auth.jwt() -> 'api_key' ->> 'tenant_id', '') = p_tenant::text
    else exists (select 1 from public.tenant_members m where m.tenant_id = p_tenant and m.user_id = auth.uid())
  end
$$;
create or replace function public.has_tenant_role(p_tenant uuid, p_roles text[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select case when auth.jwt() -> 'api_key' is not null
    then coalesce(auth.jwt() -> 'api_key' ->> 'tenant_id', '') = p_tenant::text
         and auth.jwt() -> 'api_key' ->> 'role' = any (p_roles)
    else exists (select 1 from public.tenant_members m
                  where m.tenant_id = p_tenant and m.user_id = auth.uid() and m.role = any (p_roles))
  end
$$;

drop policy tenants_create on public.tenants;
create policy tenants_create on public.tenants for insert to authenticated
  with check (auth.uid() is not null and auth.jwt() -> 'api_key' is null);

drop policy members_self on public.tenant_members;
create policy members_self on public.tenant_members for update to authenticated
  using (user_id = auth.uid() and auth.jwt() -> 'api_key' is null)
  with check (user_id = auth.uid() and auth.jwt() -> 'api_key' is null);
