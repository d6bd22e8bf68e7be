-- Verified visitors: a user verified by the site's signature gets their own conversation on every
-- device. Each device holds its own token for the same session (tokens stored hashed, like the first).
create table public.session_tokens (
  token_hash text primary key,
  session_id uuid not null references public.chatbot_sessions(id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index session_tokens_session_idx on public.session_tokens (session_id);
-- Only the API's service connection reads tokens; members never see them.
alter table public.session_tokens enable row level security;

create index chatbot_sessions_identified_idx on public.chatbot_sessions (bot_id, identified_user_id, created_at desc)
  where identified_user_id is not null;
