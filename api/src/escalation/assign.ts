/**
 * Who takes an escalation, decided from a snapshot of the tenant's agents. Pure on purpose: the caller
 * reads the snapshot and writes the assignment in one transaction with the agents' rows locked, so two
 * escalations at once cannot both take an agent's last free slot.
 */

export type AssignmentStrategy = 'round_robin' | 'least_busy' | 'specific'

/** One agent as the assignment sees it (tenant_members plus a count of their open escalations). */
export interface AgentLoad {
  user_id: string
  availability: 'online' | 'away' | 'offline'
  /** Open sessions the agent takes at most at once. */
  capacity: number
  /** Open sessions assigned to the agent now. */
  open_count: number
  /** When the agent last received an escalation (ISO time), null if never. */
  last_assigned_at: string | null
}

export interface PickAgentOptions {
  /** Only these agents may be chosen: required for `specific`, a restriction for the others. */
  agent_ids?: readonly string[]
  /** The agent round_robin gave the previous escalation; derived from last_assigned_at when absent. */
  lastAssignedId?: string | null
}

const byId = (a: AgentLoad, b: AgentLoad) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0)
const assignedAt = (a: AgentLoad) =>
  a.last_assigned_at ? Date.parse(a.last_assigned_at) || 0 : Number.NEGATIVE_INFINITY

function leastBusy(agents: AgentLoad[]): AgentLoad | undefined {
  // Load as a share of capacity, so an agent taking 10 chats with 5 open is as busy as one taking 2
  // with 1; ties go to whoever waited longest (never assigned first), then to the id for determinism.
  return [...agents].sort(
    (a, b) =>
      a.open_count / a.capacity - b.open_count / b.capacity || assignedAt(a) - assignedAt(b) || byId(a, b),
  )[0]
}

/**
 * The user_id of the agent to assign, or null when nobody online has room (the escalation then waits
 * in the unassigned queue). Only online agents with open_count < capacity are candidates.
 * - round_robin: the next candidate after the last assigned agent, in user_id order, wrapping around;
 * - least_busy: the lowest open_count / capacity, ties to the longest since last assigned;
 * - specific: only `agent_ids`, least busy among them.
 */
export function pickAgent(
  strategy: AssignmentStrategy,
  agents: readonly AgentLoad[],
  opts: PickAgentOptions = {},
): string | null {
  const allowed = opts.agent_ids ? new Set(opts.agent_ids) : null
  if (strategy === 'specific' && !allowed?.size) return null
  const candidates = agents.filter(
    (a) =>
      a.availability === 'online' &&
      a.capacity > 0 &&
      a.open_count < a.capacity &&
      (!allowed || allowed.has(a.user_id)),
  )
  if (candidates.length === 0) return null
  if (strategy !== 'round_robin') return leastBusy(candidates)!.user_id

  candidates.sort(byId)
  let last = opts.lastAssignedId ?? null
  if (last === null) {
    // Without a stored cursor, the agent assigned most recently (among all agents, busy or not) is it.
    const latest = agents.filter((a) => a.last_assigned_at).sort((a, b) => assignedAt(b) - assignedAt(a))[0]
    last = latest?.user_id ?? null
  }
  if (last === null) return candidates[0].user_id
  return (candidates.find((a) => a.user_id > last) ?? candidates[0]).user_id
}
