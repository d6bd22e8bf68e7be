import type { BatchCheck } from './streams'

/**
 * The credentials an event stream can be opened with, each checked for many streams in one query (the
 * stream registry's sweep groups open streams by kind). A row comes back for each key still valid, by
 * its position (`with ordinality`, 1-based).
 */
async function valid(rows: Promise<{ rows: { i: string | number }[] }>, n: number): Promise<boolean[]> {
  const out = new Array<boolean>(n).fill(false)
  for (const r of (await rows).rows) out[Number(r.i) - 1] = true
  return out
}

/**
 * A visitor's session token, as [session id, token hash]: valid while the session's own token, or one of
 * its exchanged tokens, is unexpired (the condition of sessionForToken in sessions/service.ts).
 */
export const visitorTokens: BatchCheck<[string, string]> = (db, keys) =>
  valid(
    db.query(
      `select c.i from unnest($1::uuid[], $2::text[]) with ordinality as c(id, h, i)
         join chatbot_sessions s on s.id = c.id
         join widget_configs w on w.bot_id = s.bot_id
        where (s.token_hash = c.h and s.token_expires_at > now())
           or exists (select 1 from session_tokens t
                       where t.token_hash = c.h and t.session_id = s.id and t.expires_at > now())`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    ),
    keys.length,
  )

/** A secret API key, by id: valid until revoked. */
export const apiKeys: BatchCheck<string> = (db, keys) =>
  valid(
    db.query(
      `select c.i from unnest($1::uuid[]) with ordinality as c(id, i)
         join api_keys k on k.id = c.id
        where k.revoked_at is null`,
      [keys],
    ),
    keys.length,
  )

/** A console member's access to a tenant, as [tenant id, user id]: valid while the membership exists. */
export const memberships: BatchCheck<[string, string]> = (db, keys) =>
  valid(
    db.query(
      `select c.i from unnest($1::uuid[], $2::uuid[]) with ordinality as c(t, u, i)
        where exists (select 1 from tenant_members m where m.tenant_id = c.t and m.user_id = c.u)`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    ),
    keys.length,
  )
