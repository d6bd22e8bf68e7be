-- Row level security: members see and change their own tenants' rows, nothing else.

-- SECURITY DEFINER so policies on tenant_members can ask about tenant_members without recursing;
-- each only answers for the caller (auth.uid()), so it reveals nothing about anyone else.
create or replace function public.is_tenant_member(p_tenant uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.tenant_members m where m.tenant_id = p_tenant and m.user_id = auth.uid())
$$;
create or replace function public.has_tenant_role(p_tenant uuid, p_roles text[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.tenant_members m
                  where m.tenant_id = p_tenant and m.user_id = auth.uid() and m.role = any (p_roles))
$$;
revoke all on function public.is_tenant_member(uuid), public.has_tenant_role(uuid, text[]) from public;
grant execute on function public.is_tenant_member(uuid), public.has_tenant_role(uuid, text[]) to authenticated, service_role;

-- Whoever creates a tenant owns it.
create or replace function public.tenants_add_owner() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if auth.uid() is not null then
    insert into public.tenant_members (tenant_id, user_id, role) values (new.id, auth.uid(), 'owner');
  end if;
  return new;
end $$;
revoke all on function public.tenants_add_owner() from public;
create trigger tenants_add_owner after insert on public.tenants for each row execute function public.tenants_add_owner();

grant usage on schema public to authenticated, service_role;
grant select, insert, update, delete on all tables in schema public to authenticated, service_role;

do $$
declare t text;
begin
  foreach t in array array['tenants', 'tenant_members', 'bots', 'prompt_versions', 'widget_configs', 'api_keys',
    'chatbot_sessions', 'chatbot_conversations', 'escalation_rules', 'escalations', 'message_feedback',
    'knowledge_sources', 'website_pages', 'knowledge_chunks', 'agent_analytics', 'topics_daily']
  loop
    execute format('alter table public.%I enable row level security', t);
  end loop;
end $$;

create policy tenants_read on public.tenants for select to authenticated using (public.is_tenant_member(id));
create policy tenants_create on public.tenants for insert to authenticated with check (auth.uid() is not null);
create policy tenants_update on public.tenants for update to authenticated
  using (public.has_tenant_role(id, array['owner', 'admin'])) with check (public.has_tenant_role(id, array['owner', 'admin']));
create policy tenants_delete on public.tenants for delete to authenticated using (public.has_tenant_role(id, array['owner']));

create policy members_read on public.tenant_members for select to authenticated using (public.is_tenant_member(tenant_id));
create policy members_manage on public.tenant_members for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
-- An agent may change their own availability (the API limits which columns).
create policy members_self on public.tenant_members for update to authenticated
  using (user_id = auth.uid()) with check (user_id = auth.uid());

-- Configuration: every member reads, owners and admins write.
do $$
declare t text;
begin
  foreach t in array array['bots', 'prompt_versions', 'widget_configs', 'escalation_rules', 'website_pages']
  loop
    execute format('create policy %I on public.%I for select to authenticated using (public.is_tenant_member(tenant_id))', t || '_read', t);
    execute format('create policy %I on public.%I for all to authenticated using (public.has_tenant_role(tenant_id, array[''owner'', ''admin''])) with check (public.has_tenant_role(tenant_id, array[''owner'', ''admin'']))', t || '_write', t);
  end loop;
end $$;

create policy api_keys_admin on public.api_keys for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));

-- Conversations: every member works on them.
do $$
declare t text;
begin
  foreach t in array array['chatbot_sessions', 'chatbot_conversations', 'escalations', 'message_feedback']
  loop
    execute format('create policy %I on public.%I for all to authenticated using (public.is_tenant_member(tenant_id)) with check (public.is_tenant_member(tenant_id))', t || '_members', t);
  end loop;
end $$;

-- Knowledge: global rows (tenant_id null) are readable by every member of any tenant, writable by none.
create policy knowledge_sources_read on public.knowledge_sources for select to authenticated
  using (tenant_id is null or public.is_tenant_member(tenant_id));
create policy knowledge_sources_write on public.knowledge_sources for all to authenticated
  using (tenant_id is not null and public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (tenant_id is not null and public.has_tenant_role(tenant_id, array['owner', 'admin']));
create policy knowledge_chunks_read on public.knowledge_chunks for select to authenticated
  using (tenant_id is null or public.is_tenant_member(tenant_id));
create policy knowledge_chunks_write on public.knowledge_chunks for all to authenticated
  using (tenant_id is not null and public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (tenant_id is not null and public.has_tenant_role(tenant_id, array['owner', 'admin']));

create policy agent_analytics_read on public.agent_analytics for select to authenticated using (public.is_tenant_member(tenant_id));
create policy topics_daily_read on public.topics_daily for select to authenticated using (public.is_tenant_member(tenant_id));
