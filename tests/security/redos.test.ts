import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findHumanRequest } from '../../api/src/escalation/human-request'
import { compileRules } from '../../api/src/escalation/rule-compile'
import { parseRule, RuleValidationError, type Rule } from '../../api/src/escalation/rule-schema'
import { evaluateRules } from '../../api/src/escalation/rules'
import { createTestApp, TENANT, OWNER, type TestApp } from '../helpers/app'

/**
 * Class: a visitor freezes the server through a tenant's escalation rule. Every pattern a tenant can
 * write runs on a linear-time engine, so no pattern backtracks; evaluation of one message has a hard
 * time bound whatever the rules; patterns the engine refuses are refused by the API and, stored behind
 * its back, never crash an evaluation.
 */

const MAX = 4000 // MESSAGE_MAX_CHARS: the longest message a visitor can send
/** Generous for a loaded 2-core machine; a backtracking engine takes seconds to years on these. */
const BOUND_MS = 400

// [pattern, flags, adversarial message] — each freezes a backtracking engine.
const REGEX_TABLE: [string, string | undefined, string][] = [
  ['(.|\\s)*refund', 'i', 'a'.repeat(MAX)],
  ['(a|a)*b', undefined, 'a'.repeat(MAX)],
  ['.*.*.*.*x', undefined, 'a'.repeat(MAX)],
  ['(a+)+b', undefined, 'a'.repeat(MAX)],
  ['(a*)*b', undefined, 'a'.repeat(MAX)],
  ['(\\w+\\s?)+$', undefined, 'word '.repeat(MAX / 5 - 1) + '!'],
  ['(x+x+)+y', undefined, 'x'.repeat(MAX)],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', undefined, 'aaaaaaaaaaaaaaaaaaaaaaaa!'.repeat(MAX / 25)],
  ['(a|aa)+$', undefined, 'a'.repeat(MAX - 1) + 'b'],
  ['(?:[^@]+)*@x', 'iu', 'a'.repeat(MAX)],
  ['\\w{1,48}\\w{1,48}[!?]', undefined, 'a'.repeat(MAX)],
  ['(.*a){12}', undefined, 'a'.repeat(MAX)],
]

// Page-URL globs and /regex/ patterns: the URL is visitor-controlled too.
const PAGE_TABLE: [string, string][] = [
  ['*a*a*a*a*a*a*a*a*a*a*b', 'https://x.test/' + 'a'.repeat(MAX)],
  ['/*a*a*a*a*a*a*a*a*a*a*b', '/' + 'a'.repeat(MAX)],
  ['https://*.*.*.*.*.*.*.*/*', 'https://' + 'a.'.repeat(MAX / 2)],
  ['/(a|a)*b/', 'https://x.test/' + 'a'.repeat(MAX)],
  ['/(.|\\s)*checkout/i', 'https://x.test/' + 'a'.repeat(MAX)],
]

// Patterns that must be refused (400 naming the field), whatever else they do.
const REFUSED_TABLE: [string, RegExp][] = [
  ['(a)\\1', /back-references/],
  ['(?<x>a)\\k<x>', /back-references|not a valid/],
  ['(?=a)a', /lookarounds|not a valid/],
  ['(?<!a)b', /lookarounds|not a valid/],
  ['(.{0,99}){9}z', /too complex/],
  ['[a-z]{1000}', /too complex|not a valid/],
  ['\\w{1,100}\\w{1,100}[!?]', /too complex/],
  ['a'.repeat(201), /longer than/],
  ['(unclosed', /not a valid/],
]

const rule = (conditions: unknown, extra: Partial<Rule> = {}): Rule =>
  ({
    id: crypto.randomUUID(),
    name: 'r',
    trigger_keywords: [],
    trigger_conditions: conditions,
    priority_level: 3,
    agent_assignment_logic: { strategy: 'least_busy' },
    is_active: true,
    ...extra,
  }) as Rule

function timed<T>(fn: () => T): [T, number] {
  const t = performance.now()
  const r = fn()
  return [r, performance.now() - t]
}

describe('escalation rule patterns run in linear time', () => {
  it.each(REGEX_TABLE)('message_regex %s (flags %s) is accepted and bounded', (pattern, flags, message) => {
    const body = { name: 'r', trigger_conditions: { all: [{ type: 'message_regex', pattern, flags }] } }
    const parsed = parseRule(body)
    const compiled = compileRules([{ ...parsed, id: crypto.randomUUID() }])
    const [res, ms] = timed(() => evaluateRules(compiled, { message }))
    expect(ms).toBeLessThan(BOUND_MS)
    expect(res.trace[0].detail).not.toMatch(/invalid/)
  })

  it.each(PAGE_TABLE)('page_url %s is checked and bounded', (pattern, page_url) => {
    const parsed = parseRule({ name: 'r', trigger_conditions: { all: [{ type: 'page_url', pattern }] } })
    const compiled = compileRules([{ ...parsed, id: crypto.randomUUID() }])
    const [, ms] = timed(() => evaluateRules(compiled, { message: 'hi', page_url }))
    expect(ms).toBeLessThan(BOUND_MS)
  })

  it.each(REFUSED_TABLE)('pattern %s is refused with a reason', (pattern, reason) => {
    for (const cond of [
      { type: 'message_regex', pattern },
      { type: 'page_url', pattern: `/${pattern}/` },
    ]) {
      expect(() => parseRule({ name: 'r', trigger_conditions: { all: [cond] } })).toThrow(RuleValidationError)
      try {
        parseRule({ name: 'r', trigger_conditions: { all: [cond] } })
      } catch (err) {
        expect((err as RuleValidationError).field).toMatch(/pattern$/)
        expect((err as Error).message).toMatch(reason)
      }
    }
  })

  it('globs of too many wildcards are refused', () => {
    expect(() =>
      parseRule({ name: 'r', trigger_conditions: { all: [{ type: 'page_url', pattern: '*a'.repeat(30) }] } }),
    ).toThrow(/wildcards/)
  })

  it('still matches what it should (semantics kept)', () => {
    const cases: [unknown, { message: string; page_url?: string }, boolean][] = [
      [
        { type: 'message_regex', pattern: '(.|\\s)*refund', flags: 'i' },
        { message: 'I want a REFUND' },
        true,
      ],
      [{ type: 'message_regex', pattern: '\\border\\s*#?\\d{4,}' }, { message: 'my order #12345' }, true],
      [{ type: 'message_regex', pattern: '\\p{Lu}{3}', flags: 'u' }, { message: 'abc' }, false],
      [
        { type: 'page_url', pattern: '/checkout*' },
        { message: 'x', page_url: 'https://s.test/checkout/pay' },
        true,
      ],
      [{ type: 'page_url', pattern: '/checkout*' }, { message: 'x', page_url: 'https://s.test/cart' }, false],
      [
        { type: 'page_url', pattern: 'https://*.shop.test/*' },
        { message: 'x', page_url: 'https://a.shop.test/x' },
        true,
      ],
      [
        { type: 'page_url', pattern: '/^https:\\/\\/shop\\./i' },
        { message: 'x', page_url: 'HTTPS://shop.test' },
        true,
      ],
      [{ type: 'page_url', pattern: 'a.b' }, { message: 'x', page_url: 'aXb' }, false],
    ]
    for (const [cond, input, fired] of cases) {
      const r = evaluateRules([rule({ all: [cond] })], input)
      expect(r.fired !== null, JSON.stringify(cond)).toBe(fired)
    }
  })

  it('has a hard time bound per evaluation, whatever the number of rules', () => {
    // 20 rules x 100 of the most expensive accepted pattern: each alone is cheap, all together are not.
    const heavy = { type: 'message_regex', pattern: '\\w{1,48}\\w{1,48}[!?]' }
    const rules = Array.from({ length: 4 }, () =>
      rule({ all: [{ all: Array(50).fill(heavy) }, { all: Array(50).fill(heavy) }] }),
    )
    const compiled = compileRules(rules)
    const [res, ms] = timed(() => evaluateRules(compiled, { message: 'a'.repeat(MAX) }, { traceAll: true }))
    expect(ms).toBeLessThan(BOUND_MS + 100)
    expect(JSON.stringify(res.trace)).toContain('time budget')
  })

  it('the built-in human-request phrases stay fast on adversarial input', () => {
    for (const s of [
      'a '.repeat(MAX / 2),
      'parler a ' + 'a'.repeat(MAX),
      'parler a ' + "l'a ".repeat(MAX / 4),
      'talk to ' + 'a '.repeat(MAX / 2) + '!',
      'quiero ' + 'un '.repeat(MAX / 3),
    ]) {
      const [, ms] = timed(() => findHumanRequest(s))
      expect(ms).toBeLessThan(BOUND_MS)
    }
  })

  it('a stored rule with a refused pattern never crashes evaluation', () => {
    const stored = [
      rule({ all: [{ type: 'message_regex', pattern: '(a)\\1' }] }),
      rule({ all: [{ type: 'message_regex', pattern: '(?<=a)b' }] }),
      rule({ all: [{ type: 'page_url', pattern: '/(.{0,99}){9}z/' }] }),
      rule({ all: [{ type: 'message_regex', pattern: '[' }] }),
      rule({}, { trigger_keywords: ['refund'] }),
    ]
    const r = evaluateRules(
      compileRules(stored),
      { message: 'aab refund', page_url: '/x' },
      { traceAll: true },
    )
    for (const bad of stored.slice(0, 4)) {
      const tr = r.trace.find((x) => x.rule_id === bad.id)!
      expect(tr.fired).toBe(false)
      expect(tr.detail).toMatch(/invalid/)
    }
    expect(r.fired?.rule_id).toBe(stored[4].id)
  })
})

describe('over HTTP', () => {
  let t: TestApp
  let owner: Record<string, string>
  beforeAll(async () => {
    t = await createTestApp()
    owner = await t.login(OWNER)
  })
  afterAll(() => t.close())

  it.each(REFUSED_TABLE.slice(0, 5))(
    'POST escalation-rules refuses %s with 400 naming the field',
    async (pattern) => {
      const res = await t.json(
        'POST',
        `/v1/tenants/${TENANT}/escalation-rules`,
        { name: 'x', trigger_conditions: { all: [{ type: 'message_regex', pattern }] } },
        owner,
      )
      expect(res.status).toBe(400)
      expect(JSON.stringify(await res.json())).toContain('pattern')
    },
  )

  it('a visitor message against the worst accepted rules is answered quickly', async () => {
    for (const [pattern, flags] of REGEX_TABLE.slice(0, 4)) {
      const res = await t.json(
        'POST',
        `/v1/tenants/${TENANT}/escalation-rules`,
        { name: `slow ${pattern}`, trigger_conditions: { all: [{ type: 'message_regex', pattern, flags }] } },
        owner,
      )
      expect(res.status).toBe(201)
    }
    const v = await t.visitor()
    const started = performance.now()
    const res = await v.send('a'.repeat(MAX))
    expect(res.status).toBe(200)
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('stored rules with refused patterns are skipped with a trace, not a crash', async () => {
    await t.deps.pool.query(
      `insert into escalation_rules (tenant_id, rule_name, trigger_keywords, trigger_conditions, priority_level)
       values ($1, 'legacy backref', '{}', $2, 5), ($1, 'legacy lookbehind', '{}', $3, 5)`,
      [
        TENANT,
        { all: [{ type: 'message_regex', pattern: '(a)\\1' }] },
        { all: [{ type: 'page_url', pattern: '/(?<=a)b/' }] },
      ],
    )
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/escalation-rules/test`,
      { message: 'aa', context: { page_url: '/ab' } },
      owner,
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as { trace: { name: string; fired: boolean; detail: string }[] }
    for (const name of ['legacy backref', 'legacy lookbehind']) {
      const tr = body.trace.find((x) => x.name === name)!
      expect(tr.fired).toBe(false)
      expect(tr.detail).toMatch(/invalid/)
    }
    const v = await t.visitor()
    expect((await v.send('aa')).status).toBe(200)
  })
})
