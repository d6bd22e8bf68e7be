-- A channel disconnected (deleted) or paused (is_active false) cancels its unsent replies: their outbox
-- rows stop waiting (status cancelled; the worker only claims pending and sending rows) and each message
-- shows why it was not delivered. Done by a trigger, so every way of pausing or deleting an account does
-- it, in the same transaction. A send already in flight (status sending) finishes as it goes.
alter table public.channel_outbox drop constraint if exists channel_outbox_status_check;
alter table public.channel_outbox add constraint channel_outbox_status_check
  check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled'));

create or replace function public.channel_outbox_cancel() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  reason text;
  ids uuid[];
  r record;
begin
  if tg_op = 'DELETE' then
    reason := 'Not sent: the channel was disconnected.';
  elsif old.is_active and not new.is_active then
    reason := 'Not sent: the channel was paused.';
  else
    return new;
  end if;
  with cancelled as (
    update public.channel_outbox o set status = 'cancelled', last_error = reason, locked_at = null
     where o.account_id = old.id and o.status = 'pending'
    returning o.message_id)
  select coalesce(array_agg(message_id), '{}') into ids from cancelled;
  if cardinality(ids) > 0 then
    update public.chatbot_conversations c
       set ai_metadata = jsonb_set(coalesce(c.ai_metadata, '{}'::jsonb), '{delivery}',
             coalesce(c.ai_metadata -> 'delivery', '{}'::jsonb) || jsonb_build_object('status', 'failed', 'error', reason))
     where c.id = any (ids);
    -- The inbox hears of it like of any delivery change (realtime/bus.ts: channel parley_events).
    for r in select distinct c.tenant_id, c.session_id from public.chatbot_conversations c where c.id = any (ids) loop
      perform pg_notify('parley_events',
        json_build_object('tenant_id', r.tenant_id, 'session_id', r.session_id, 'kind', 'status')::text);
    end loop;
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  return new;
end $$;
revoke all on function public.channel_outbox_cancel() from public;
create trigger social_accounts_cancel_outbox before delete or update of is_active on public.social_accounts
  for each row execute function public.channel_outbox_cancel();
