import { describe, expect, it } from 'vitest'
import { pickAgent, type AgentLoad } from '../../../api/src/escalation/assign'

const agent = (user_id: string, over: Partial<AgentLoad> = {}): AgentLoad => ({
  user_id,
  availability: 'online',
  capacity: 3,
  open_count: 0,
  last_assigned_at: null,
  ...over,
})

describe('pickAgent', () => {
  const team = [
    agent('a', { open_count: 2, last_assigned_at: '2026-01-01T10:00:00Z' }),
    agent('b', { open_count: 1, last_assigned_at: '2026-01-01T11:00:00Z' }),
    agent('c', { open_count: 1, last_assigned_at: '2026-01-01T09:00:00Z' }),
    agent('d', { availability: 'offline' }),
    agent('e', { availability: 'away' }),
    agent('f', { open_count: 3 }),
  ]

  it('round_robin takes the next eligible agent after the last one, wrapping', () => {
    expect(pickAgent('round_robin', team, { lastAssignedId: 'a' })).toBe('b')
    expect(pickAgent('round_robin', team, { lastAssignedId: 'b' })).toBe('c')
    // d, e are not online and f is full: after c comes a again.
    expect(pickAgent('round_robin', team, { lastAssignedId: 'c' })).toBe('a')
    // Without a cursor, the most recently assigned agent (b) is the last one.
    expect(pickAgent('round_robin', team)).toBe('c')
    expect(pickAgent('round_robin', [agent('x'), agent('y')])).toBe('x')
  })

  it('round_robin turns through the team over successive escalations', () => {
    const picks: string[] = []
    let last: string | null = null
    for (let i = 0; i < 4; i++) {
      last = pickAgent('round_robin', [agent('a'), agent('b'), agent('c')], { lastAssignedId: last })
      picks.push(last!)
    }
    expect(picks).toEqual(['a', 'b', 'c', 'a'])
  })

  it('least_busy takes the lowest load share, ties to the longest wait', () => {
    // b and c both 1/3; c was assigned earlier.
    expect(pickAgent('least_busy', team)).toBe('c')
    expect(
      pickAgent('least_busy', [
        agent('a', { open_count: 2, capacity: 10 }),
        agent('b', { open_count: 1, capacity: 2 }),
      ]),
    ).toBe('a')
    expect(
      pickAgent('least_busy', [agent('a', { last_assigned_at: '2026-01-01T00:00:00Z' }), agent('b')]),
    ).toBe('b')
  })

  it('specific only takes listed agents, least busy among them', () => {
    expect(pickAgent('specific', team, { agent_ids: ['a', 'b'] })).toBe('b')
    expect(pickAgent('specific', team, { agent_ids: ['a'] })).toBe('a')
    expect(pickAgent('specific', team, { agent_ids: ['d', 'e', 'f'] })).toBeNull()
    expect(pickAgent('specific', team, { agent_ids: [] })).toBeNull()
    expect(pickAgent('specific', team)).toBeNull()
  })

  it('skips offline and away agents and respects capacity', () => {
    const nobody = [
      agent('d', { availability: 'offline' }),
      agent('e', { availability: 'away' }),
      agent('f', { open_count: 3 }),
      agent('g', { capacity: 0 }),
    ]
    for (const s of ['round_robin', 'least_busy', 'specific'] as const) {
      expect(pickAgent(s, nobody, { agent_ids: ['d', 'e', 'f', 'g'] })).toBeNull()
    }
    expect(pickAgent('least_busy', [...nobody, agent('h', { open_count: 2 })])).toBe('h')
  })

  it('nobody at all -> null (the unassigned queue)', () => {
    expect(pickAgent('least_busy', [])).toBeNull()
    expect(pickAgent('round_robin', [])).toBeNull()
  })
})
