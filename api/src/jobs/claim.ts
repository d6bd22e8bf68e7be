import type { Queryable } from '../db/tx'

/**
 * A queue kept in a table: which rows are due, how a row is marked taken, and when a taken row whose
 * worker died is due again. Names are the code's own constants, never input.
 */
export interface Queue {
  table: string
  /** The status of a taken row ('processing', 'sending', 'delivering'); waiting rows are 'pending'. */
  taken: string
  /** The column saying when a pending row is due (run_at, next_attempt_at). */
  dueAt: string
  /**
   * The column stamped when a row is taken and compared with the lease (locked_at; updated_at where a
   * trigger stamps it on every update).
   */
  takenAt: string
  /** How long a taken row is left to its worker before another may take it (a Postgres interval). */
  lease: string
  /** Which due row goes first. */
  orderBy: string
  /**
   * Rows with the same values here run one at a time, in id order: none is taken while an earlier one
   * with the same key is pending or taken (one platform user's events, one session's outbox).
   */
  inOrderOf?: string[]
  /** More assignments when taking a row, with parameters from $1 (`locked_by = $1`). */
  set?: string
  /** What the claim returns of the taken row. */
  returning: string
}

const sql = new WeakMap<Queue, string>()

function claimSql(q: Queue): string {
  const ordered = q.inOrderOf?.length
    ? `and not exists (select 1 from ${q.table} p
                        where ${q.inOrderOf.map((c) => `p.${c} = c.${c}`).join(' and ')} and p.id < c.id
                          and p.status in ('pending', '${q.taken}'))`
    : ''
  const extra = q.set ? `, ${q.set}` : ''
  const stamp = q.takenAt === 'updated_at' ? '' : `, ${q.takenAt} = now()`
  return `update ${q.table} j set status = '${q.taken}', attempts = attempts + 1${stamp}${extra}
           where j.id = (select c.id from ${q.table} c
                          where ((c.status = 'pending' and c.${q.dueAt} <= now())
                                 or (c.status = '${q.taken}' and c.${q.takenAt} < now() - interval '${q.lease}'))
                            ${ordered}
                          order by c.${q.orderBy} limit 1 for update skip locked)
          returning ${q.returning
            .split(',')
            .map((c) => `j.${c.trim()}`)
            .join(', ')}`
}

/** Counts the queue's rows that are due or being worked (what a drain waits for), as SQL. */
export const outstandingSql = (q: Queue) =>
  `(select count(*) from ${q.table} where status = '${q.taken}' or (status = 'pending' and ${q.dueAt} <= now()))`

/**
 * Takes one due row of the queue (FOR UPDATE SKIP LOCKED: several processes share it), marks it taken
 * and counts the attempt; null when nothing is due. The one definition of the claim and lease for the
 * knowledge jobs, the channels' events and outbox, and the webhook deliveries.
 */
export async function claimOne<T = any>(
  db: Queryable,
  queue: Queue,
  params: unknown[] = [],
): Promise<T | null> {
  let text = sql.get(queue)
  if (!text) sql.set(queue, (text = claimSql(queue)))
  const { rows } = await db.query(text, params)
  return (rows[0] as T | undefined) ?? null
}
