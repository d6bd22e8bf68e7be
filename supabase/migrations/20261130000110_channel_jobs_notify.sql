-- The channel worker wakes when a channel job is queued, not on every message of every session.
-- Before, it listened to parley_events and claimed from both queues (four lanes each on a server) for
-- every widget message too: 24 statements per message for nothing. Now a statement-level trigger on
-- each queue notifies parley_channel_jobs (delivered at commit, to every API process; no payload but the
-- queue's name). Retries due later are found by the worker's timer as before.
create or replace function public.notify_channel_jobs() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('parley_channel_jobs', tg_table_name);
  return null;
end
$$;
revoke all on function public.notify_channel_jobs() from public;

drop trigger if exists channel_outbox_notify on public.channel_outbox;
create trigger channel_outbox_notify after insert on public.channel_outbox
  for each statement execute function public.notify_channel_jobs();

drop trigger if exists channel_events_notify on public.channel_events;
create trigger channel_events_notify after insert on public.channel_events
  for each statement execute function public.notify_channel_jobs();
