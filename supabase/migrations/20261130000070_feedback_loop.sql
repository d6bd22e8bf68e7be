-- The correction loop (seed 000 message_feedback, seed 001 model_versions): an agent's or owner's
-- better answer to a bot message, reviewed and applied to later answers; answer tests that pin what a
-- good answer must do, run after every change that can break one; a per-tenant registry of models.
-- One table per concept with a tenant column and RLS.

-- An improved answer. The visitor's question and the bot's original answer are copied in: the
-- conversation may be deleted, the improvement keeps answering.
create table public.improvements (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  session_id uuid references public.chatbot_sessions(id) on delete set null,
  message_id uuid references public.chatbot_conversations(id) on delete set null,
  question text not null check (length(question) between 1 and 4000),
  original_response text not null default '',
  improved_response text not null check (length(improved_response) between 1 and 8000),
  feedback_type text not null default 'improve_response'
    check (feedback_type in ('improve_response', 'add_context', 'fix_error', 'enhance_tone')),
  status text not null default 'pending' check (status in ('pending', 'in_review', 'applied', 'rejected')),
  -- Words that also name the question (matched with the same terms as retrieval, answers/terms.ts).
  similarity_keywords text[] not null default '{}' check (cardinality(similarity_keywords) <= 20),
  language text not null default 'en',
  times_applied int not null default 0,
  last_applied_at timestamptz,
  created_by uuid references auth.users(id) on delete set null,
  reviewed_by uuid references auth.users(id) on delete set null,
  reviewed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index improvements_tenant_idx on public.improvements (tenant_id, created_at desc);
create index improvements_applied_idx on public.improvements (bot_id) where status = 'applied';
create index improvements_message_idx on public.improvements (message_id);
create trigger improvements_touch before update on public.improvements for each row execute function public.touch_updated_at();

-- What a good answer to a question must do; each applied improvement adds one (improvement_id).
create table public.answer_tests (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  question text not null check (length(question) between 1 and 2000),
  -- {contains?: [text], escalates?: bool, declines?: bool}
  expect jsonb not null default '{}'::jsonb,
  improvement_id uuid references public.improvements(id) on delete cascade,
  created_by uuid references auth.users(id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index answer_tests_bot_idx on public.answer_tests (bot_id, created_at);
create unique index answer_tests_improvement on public.answer_tests (improvement_id) where improvement_id is not null;
create trigger answer_tests_touch before update on public.answer_tests for each row execute function public.touch_updated_at();

-- A per-tenant model registry; the active version of a bot is the model the bot answers with.
create table public.model_versions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid references public.bots(id) on delete set null,
  model_name text not null check (length(model_name) between 1 and 200),
  base_model text not null check (length(base_model) between 1 and 200),
  version text not null check (length(version) between 1 and 50),
  training_dataset_id text check (length(training_dataset_id) <= 200),
  status text not null default 'training' check (status in ('training', 'ready', 'deprecated')),
  metrics jsonb not null default '{}'::jsonb,
  is_active boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, model_name, version)
);
create index model_versions_tenant_idx on public.model_versions (tenant_id, created_at desc);
create unique index model_versions_one_active on public.model_versions (bot_id) where is_active;
create trigger model_versions_touch before update on public.model_versions for each row execute function public.touch_updated_at();

-- One run of a bot's answer tests: queued by the triggers below (or a person), worked by the test
-- worker (feedback/runner.ts). At most one waits per bot: ten changes in a row make one run.
create table public.answer_test_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants(id) on delete cascade,
  bot_id uuid not null references public.bots(id) on delete cascade,
  trigger text not null check (trigger in ('manual', 'prompt', 'knowledge', 'threshold', 'improvement', 'model')),
  model_version_id uuid references public.model_versions(id) on delete set null,
  compare_model_version_id uuid references public.model_versions(id) on delete set null,
  status text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  -- [{test_id, question, passed, answer, reasons, compare?: {passed, answer, reasons}}]
  results jsonb not null default '[]'::jsonb,
  passed int not null default 0,
  failed int not null default 0,
  -- Against the bot's previous finished run: {newly_failing: [test_id], newly_passing: [test_id]}.
  changes jsonb not null default '{}'::jsonb,
  error text,
  attempts int not null default 0,
  locked_at timestamptz,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);
create index answer_test_runs_bot_idx on public.answer_test_runs (bot_id, created_at desc);
create unique index answer_test_runs_one_pending on public.answer_test_runs (bot_id) where status = 'pending';
create index answer_test_runs_due_idx on public.answer_test_runs (created_at) where status in ('pending', 'running');

-- Queues a run for each bot of the tenant (or the one bot) that has answer tests. SECURITY DEFINER:
-- the change that queues it may be a member's (RLS would hide the runs table from an agent's write).
create or replace function public.queue_answer_tests(p_tenant uuid, p_bot uuid, p_trigger text) returns void
language sql security definer set search_path = '' as $$
  insert into public.answer_test_runs (tenant_id, bot_id, trigger)
  select distinct t.tenant_id, t.bot_id, p_trigger
    from public.answer_tests t join public.bots b on b.id = t.bot_id and b.tenant_id = t.tenant_id
   where t.tenant_id = p_tenant and (p_bot is null or t.bot_id = p_bot)
     -- A tenant or bot being deleted cascades to its sources: nothing to run then.
     and exists (select 1 from public.tenants x where x.id = p_tenant)
  on conflict (bot_id) where status = 'pending' do nothing
$$;
revoke all on function public.queue_answer_tests(uuid, uuid, text) from public;

create or replace function public.answer_tests_on_prompt() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.is_active and (tg_op = 'INSERT' or not old.is_active) then
    perform public.queue_answer_tests(new.tenant_id, new.bot_id, 'prompt');
  end if;
  return null;
end $$;
revoke all on function public.answer_tests_on_prompt() from public;
create trigger answer_tests_on_prompt after insert or update of is_active on public.prompt_versions
  for each row execute function public.answer_tests_on_prompt();

create or replace function public.answer_tests_on_threshold() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.min_confidence is distinct from old.min_confidence then
    perform public.queue_answer_tests(new.tenant_id, new.id, 'threshold');
  end if;
  return null;
end $$;
revoke all on function public.answer_tests_on_threshold() from public;
create trigger answer_tests_on_threshold after update of min_confidence on public.bots
  for each row execute function public.answer_tests_on_threshold();

-- Knowledge: a source that becomes ready, a FAQ whose text changes, a source deleted.
create or replace function public.answer_tests_on_knowledge() returns trigger
language plpgsql security definer set search_path = '' as $$
declare s record;
begin
  if tg_op = 'DELETE' then s := old; else s := new; end if;
  if s.tenant_id is null then return null; end if;
  if tg_op = 'DELETE'
     or (tg_op = 'INSERT' and new.status = 'ready')
     or (tg_op = 'UPDATE' and ((new.status = 'ready' and old.status is distinct from 'ready')
                               or (new.status = 'ready' and new.body is distinct from old.body))) then
    perform public.queue_answer_tests(s.tenant_id, s.bot_id, 'knowledge');
  end if;
  return null;
end $$;
revoke all on function public.answer_tests_on_knowledge() from public;
create trigger answer_tests_on_knowledge after insert or update or delete on public.knowledge_sources
  for each row execute function public.answer_tests_on_knowledge();

-- RLS: members read everything and propose improvements; owners and admins review them, write tests
-- and models. The runs are the worker's (parley_app); members read them and queue manual ones.
do $$
declare t text;
begin
  foreach t in array array['improvements', 'answer_tests', 'model_versions', 'answer_test_runs']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('alter table public.%I force row level security', t);
    execute format('create policy parley_app_all on public.%I for all to parley_app using (true) with check (true)', t);
    execute format('grant select, insert, update, delete on public.%I to parley_app', t);
    execute format('create policy %I on public.%I for select to authenticated using (public.is_tenant_member(tenant_id))', t || '_read', t);
    execute format('grant select on public.%I to authenticated', t);
  end loop;
end $$;
create policy improvements_propose on public.improvements for insert to authenticated
  with check (public.is_tenant_member(tenant_id) and status = 'pending' and created_by = auth.uid());
create policy improvements_review on public.improvements for update to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
create policy improvements_delete on public.improvements for delete to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant insert, update, delete on public.improvements to authenticated;
create policy answer_tests_write on public.answer_tests for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant insert, update, delete on public.answer_tests to authenticated;
create policy model_versions_write on public.model_versions for all to authenticated
  using (public.has_tenant_role(tenant_id, array['owner', 'admin']))
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant insert, update, delete on public.model_versions to authenticated;
create policy answer_test_runs_queue on public.answer_test_runs for insert to authenticated
  with check (public.has_tenant_role(tenant_id, array['owner', 'admin']));
grant insert on public.answer_test_runs to authenticated;
