import { describe, expect, it } from 'vitest'
import { asksForHuman, findHumanRequest } from '../../../api/src/escalation/human-request'
import { compileRules } from '../../../api/src/escalation/rule-compile'
import { parseRule, RuleValidationError, type Rule } from '../../../api/src/escalation/rule-schema'
import {
  evaluateRules,
  type ConditionGroupTrace,
  type ConditionLeafTrace,
  type EvalInput,
} from '../../../api/src/escalation/rules'

let seq = 0
/** A validated rule with an id; `created_at` increases with each call so ties are deterministic. */
function rule(body: Record<string, unknown>, id = `rule-${String(++seq).padStart(3, '0')}`): Rule {
  return {
    ...parseRule({ name: id, ...body }),
    id,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  }
}
const fires = (r: Rule, input: EvalInput) => evaluateRules([r], input).fired !== null
const leaf = (r: Rule, input: EvalInput) => {
  const t = evaluateRules([r], input).trace[0].conditions as ConditionGroupTrace
  return t.all![0] as ConditionLeafTrace
}
const one = (condition: Record<string, unknown>) => rule({ trigger_conditions: { all: [condition] } })

describe('keywords', () => {
  const cases: [string, string[], string, boolean][] = [
    ['fr, upper case', ['humain'], 'Je veux parler à un HUMAIN', true],
    ['accent in the message', ['humain'], 'Humáin !', true],
    ['accent in the keyword', ['remboursé'], 'il est rembourse ?', true],
    ['prefix of a longer word does not match', ['rembourse'], 'je veux un remboursement', false],
    ['listed longer word matches', ['remboursement'], 'je veux un Remboursement.', true],
    ['phrase', ['talk to a manager'], 'Can I TALK to a   manager please', true],
    ['phrase words in another order do not match', ['talk to a manager'], 'a manager talk to', false],
    ['pt accents', ['reclamação'], 'quero fazer uma RECLAMACAO', true],
    ['es ñ', ['contraseña'], 'olvidé mi contrasena', true],
    ['de ß', ['straße'], 'Welche Strasse?', true],
    ['de umlaut', ['kündigen'], 'Ich will KUNDIGEN', true],
    ['curly apostrophe', ["c'est urgent"], 'c’est urgent', true],
    ['inside another word (en)', ['cancel'], 'cancellation policy', false],
    ['cyrillic', ['оператор'], 'Нужен ОПЕРАТОР!', true],
    ['cyrillic inflected form is another word', ['оператор'], 'позовите оператора', false],
    ['greek', ['επιστροφή'], 'Θέλω ΕΠΙΣΤΡΟΦΗ χρημάτων', true],
    ['arabic', ['استرداد'], 'أريد استرداد المبلغ', true],
    ['chinese without spaces', ['人工'], '我要人工客服', true],
    ['japanese', ['返金'], '返金してください', true],
    ['number boundary', ['404'], 'error 4040', false],
    ['any keyword of several', ['refund', 'chargeback'], 'I will file a chargeback', true],
    ['hyphenated keyword', ['e-mail'], 'my E-Mail bounced', true],
    ['symbols in a keyword', ['c++', '50%'], 'Do you teach C++?', true],
    ['symbols need the word boundary too', ['c++'], 'abc++', false],
    ['regex characters are literal', ['(urgent)'], 'this is urgent', false],
  ]
  it.each(cases)('%s', (_name, keywords, message, expected) => {
    expect(fires(rule({ trigger_keywords: keywords }), { message })).toBe(expected)
  })

  it('lists every keyword that matched, in the rule’s spelling', () => {
    const r = rule({ trigger_keywords: ['Remboursement', 'colis', 'absent'] })
    const { trace } = evaluateRules([r], { message: 'Mon colis ? Je veux un remboursement' })
    expect(trace[0].keywords).toEqual({ matched: ['Remboursement', 'colis'] })
  })
})

describe('asksForHuman', () => {
  const yes = [
    'I want to talk to a human',
    'Can I speak with a real person?',
    'connect me to an agent please',
    'Je veux parler à un conseiller',
    'je voudrais parler avec quelqu’un',
    'Est-ce que je peux avoir un vrai conseiller ?',
    'humain svp',
    'Quiero hablar con una persona',
    'necesito un agente humano',
    'Quero falar com um atendente',
    'preciso de atendimento humano',
    'HUMAN!!',
  ]
  const no = [
    'What is a human resources policy?',
    'Où est mon colis ?',
    'El agente de transporte no llegó',
    'ok merci',
    'personne ne répond au téléphone',
  ]
  it.each(yes)('detects %j', (m) => expect(asksForHuman(m)).toBe(true))
  it.each(no)('does not flag %j', (m) => expect(asksForHuman(m)).toBe(false))
})

describe('the acceptance message', () => {
  const message = "je veux parler à un humain, c'est pour un remboursement"
  it('fires a rule with keywords [remboursement] and is a human request', () => {
    const r = rule({ trigger_keywords: ['remboursement'] })
    const result = evaluateRules([r], { message })
    expect(result.fired).toMatchObject({ rule_id: r.id, priority: 3 })
    expect(result.trace[0].keywords).toEqual({ matched: ['remboursement'] })
    expect(asksForHuman(message)).toBe(true)
    expect(findHumanRequest(message)).toBe('parler a un humain')
  })
})

describe('conditions', () => {
  const cases: [string, Record<string, unknown>, EvalInput, boolean | null, RegExp][] = [
    ['human button', { type: 'human_requested' }, { message: 'hi', human_requested: true }, true, /pressed/],
    [
      'human in words',
      { type: 'human_requested' },
      { message: 'hablar con un agente' },
      true,
      /hablar con un agente/,
    ],
    [
      'no human request',
      { type: 'human_requested' },
      { message: 'where is my parcel' },
      false,
      /did not ask/,
    ],
    [
      'count gte pass',
      { type: 'visitor_message_count', op: 'gte', value: 3 },
      { message: '', visitor_message_count: 4 },
      true,
      /visitor messages 4 >= 3/,
    ],
    [
      'count gte fail',
      { type: 'visitor_message_count', op: 'gte', value: 3 },
      { message: '', visitor_message_count: 2 },
      false,
      /2 not >= 3/,
    ],
    [
      'count eq',
      { type: 'visitor_message_count', op: 'eq', value: 1 },
      { message: '', visitor_message_count: 1 },
      true,
      /1 = 1/,
    ],
    [
      'count unknown',
      { type: 'visitor_message_count', op: 'lt', value: 3 },
      { message: '' },
      null,
      /unknown/,
    ],
    [
      'streak pass',
      { type: 'low_confidence_streak', min: 2 },
      { message: '', recent_confidences: [0.9, 0.2, 0.1] },
      true,
      /2 consecutive/,
    ],
    [
      'streak broken by a good answer',
      { type: 'low_confidence_streak', min: 2 },
      { message: '', recent_confidences: [0.1, 0.2, 0.8] },
      false,
      /0 consecutive/,
    ],
    [
      'streak custom threshold',
      { type: 'low_confidence_streak', min: 1, threshold: 0.6 },
      { message: '', recent_confidences: [0.5] },
      true,
      /< 0.6/,
    ],
    [
      'streak unknown',
      { type: 'low_confidence_streak', min: 1 },
      { message: '' },
      null,
      /confidences unknown/,
    ],
    [
      'sentiment pass',
      { type: 'sentiment', in: ['negative'] },
      { message: '', triage: { sentiment: 'negative' } },
      true,
      /"negative" is in/,
    ],
    [
      'sentiment fail',
      { type: 'sentiment', in: ['negative'] },
      { message: '', triage: { sentiment: 'positive' } },
      false,
      /is not in/,
    ],
    [
      'sentiment without triage',
      { type: 'sentiment', in: ['negative'] },
      { message: '', triage: null },
      null,
      /sentiment unknown: no triage/,
    ],
    [
      'sentiment not classified',
      { type: 'sentiment', in: ['negative'] },
      { message: '', triage: { intent: 'refund' } },
      null,
      /did not classify/,
    ],
    [
      'intent pass, case-insensitive',
      { type: 'intent', in: ['Refund', 'cancel'] },
      { message: '', triage: { intent: 'refund' } },
      true,
      /is in/,
    ],
    [
      'intent fail',
      { type: 'intent', in: ['refund'] },
      { message: '', triage: { intent: 'shipping' } },
      false,
      /is not in/,
    ],
    [
      'intent without triage',
      { type: 'intent', in: ['refund'] },
      { message: '' },
      null,
      /intent unknown: no triage/,
    ],
    [
      'closed',
      { type: 'outside_business_hours' },
      { message: '', business_hours_open: false },
      true,
      /outside/,
    ],
    ['open', { type: 'outside_business_hours' }, { message: '', business_hours_open: true }, false, /within/],
    [
      'no schedule',
      { type: 'outside_business_hours' },
      { message: '', business_hours_open: null },
      null,
      /no schedule/,
    ],
    [
      'url glob',
      { type: 'page_url', pattern: '*/checkout*' },
      { message: '', page_url: 'https://shop.example/checkout?step=2' },
      true,
      /matches/,
    ],
    [
      'url path glob',
      { type: 'page_url', pattern: '/pricing/*' },
      { message: '', page_url: 'https://shop.example/pricing/pro' },
      true,
      /"\/pricing\/pro" matches/,
    ],
    [
      'url glob fail',
      { type: 'page_url', pattern: '*/checkout*' },
      { message: '', page_url: 'https://shop.example/blog' },
      false,
      /does not match/,
    ],
    [
      'url regex',
      { type: 'page_url', pattern: '/\\/(cart|checkout)\\b/' },
      { message: '', page_url: 'https://x.example/cart/1' },
      true,
      /matches/,
    ],
    ['url unknown', { type: 'page_url', pattern: '*' }, { message: '' }, null, /page URL unknown/],
    [
      'attr eq, case-insensitive',
      { type: 'attribute', key: 'plan', op: 'eq', value: 'premium' },
      { message: '', attributes: { plan: 'Premium' } },
      true,
      /=/,
    ],
    [
      'attr neq',
      { type: 'attribute', key: 'plan', op: 'neq', value: 'free' },
      { message: '', attributes: { plan: 'pro' } },
      true,
      /!=/,
    ],
    [
      'attr gt',
      { type: 'attribute', key: 'ltv', op: 'gt', value: 1000 },
      { message: '', attributes: { ltv: 2500 } },
      true,
      /2500 > 1000/,
    ],
    [
      'attr gte numeric string',
      { type: 'attribute', key: 'ltv', op: 'gte', value: 1000 },
      { message: '', attributes: { ltv: '999' } },
      false,
      /999 not >= 1000/,
    ],
    [
      'attr lt not a number',
      { type: 'attribute', key: 'ltv', op: 'lt', value: 5 },
      { message: '', attributes: { ltv: 'lots' } },
      false,
      /not a number/,
    ],
    [
      'attr nested key',
      { type: 'attribute', key: 'company.tier', op: 'in', value: ['gold', 'platinum'] },
      { message: '', attributes: { company: { tier: 'gold' } } },
      true,
      /is in/,
    ],
    [
      'attr contains (array)',
      { type: 'attribute', key: 'tags', op: 'contains', value: 'vip' },
      { message: '', attributes: { tags: ['new', 'VIP'] } },
      true,
      /contains/,
    ],
    [
      'attr contains (string)',
      { type: 'attribute', key: 'email', op: 'contains', value: '@bigcorp.com' },
      { message: '', attributes: { email: 'a@other.com' } },
      false,
      /does not contain/,
    ],
    [
      'attr exists',
      { type: 'attribute', key: 'order_id', op: 'exists' },
      { message: '', attributes: { order_id: 'A1' } },
      true,
      /is set/,
    ],
    [
      'attr does not exist',
      { type: 'attribute', key: 'order_id', op: 'exists' },
      { message: '', attributes: {} },
      false,
      /not set/,
    ],
    [
      'attr missing is unknown',
      { type: 'attribute', key: 'plan', op: 'eq', value: 'pro' },
      { message: '', attributes: {} },
      null,
      /unknown/,
    ],
    [
      'regex pass',
      { type: 'message_regex', pattern: '\\b[A-Z]{2}\\d{6}\\b' },
      { message: 'order FR123456 late' },
      true,
      /"FR123456"/,
    ],
    [
      'regex flags',
      { type: 'message_regex', pattern: 'urgent', flags: 'i' },
      { message: 'URGENT' },
      true,
      /matches/,
    ],
    [
      'regex fail',
      { type: 'message_regex', pattern: 'urgent' },
      { message: 'URGENT' },
      false,
      /does not match/,
    ],
    [
      'regex only sees the first 2000 characters',
      { type: 'message_regex', pattern: 'needle' },
      { message: 'x'.repeat(2000) + 'needle' },
      false,
      /does not match/,
    ],
  ]
  it.each(cases)('%s', (_name, condition, input, passed, detail) => {
    const r = one(condition)
    const t = leaf(r, input)
    expect(t.passed).toBe(passed)
    expect(t.detail).toMatch(detail)
    expect(fires(r, input)).toBe(passed === true)
  })

  it('an unknown condition stops the rule and the trace says why', () => {
    const r = rule({
      trigger_keywords: ['remboursement'],
      trigger_conditions: { all: [{ type: 'sentiment', in: ['negative'] }] },
    })
    const { fired, trace } = evaluateRules([r], { message: 'un remboursement svp' })
    expect(fired).toBeNull()
    expect(trace[0].detail).toBe('did not fire: conditions unknown (sentiment unknown: no triage)')
  })
})

describe('all / any nesting', () => {
  const tree = {
    all: [
      { type: 'visitor_message_count', op: 'gte', value: 2 },
      {
        any: [
          { type: 'sentiment', in: ['negative'] },
          { all: [{ type: 'attribute', key: 'plan', op: 'eq', value: 'pro' }, { type: 'human_requested' }] },
        ],
      },
    ],
  }
  const r = rule({ trigger_conditions: tree })
  const cases: [string, EvalInput, boolean | null][] = [
    [
      'negative sentiment',
      { message: '', visitor_message_count: 2, triage: { sentiment: 'negative' } },
      true,
    ],
    [
      'pro plan asking for a human, no triage',
      { message: 'talk to a human', visitor_message_count: 3, attributes: { plan: 'pro' } },
      true,
    ],
    [
      'pro plan not asking, no triage: unknown',
      { message: 'hello', visitor_message_count: 3, attributes: { plan: 'pro' } },
      null,
    ],
    [
      'not enough messages: false beats unknown',
      { message: 'talk to a human', visitor_message_count: 1 },
      false,
    ],
    [
      'free plan, positive',
      {
        message: 'talk to a human',
        visitor_message_count: 5,
        attributes: { plan: 'free' },
        triage: { sentiment: 'positive' },
      },
      false,
    ],
  ]
  it.each(cases)('%s', (_name, input, passed) => {
    const { trace, fired } = evaluateRules([r], input)
    expect(trace[0].conditions!.passed).toBe(passed)
    expect(fired !== null).toBe(passed === true)
  })

  it('traces every condition of the tree', () => {
    const t = evaluateRules([r], {
      message: 'talk to a human',
      visitor_message_count: 3,
      attributes: { plan: 'pro' },
    }).trace[0]
    const root = t.conditions as ConditionGroupTrace
    expect(root.detail).toBe('all of 2: 2 passed')
    const anyGroup = root.all![1] as ConditionGroupTrace
    expect(anyGroup.detail).toBe('any of 2: 1 passed, 1 unknown')
    expect((anyGroup.any![1] as ConditionGroupTrace).all!.map((c) => c.passed)).toEqual([true, true])
  })

  it('a group with both all and any needs both', () => {
    const both = rule({
      trigger_conditions: {
        all: [{ type: 'human_requested' }],
        any: [{ type: 'outside_business_hours' }, { type: 'visitor_message_count', op: 'gt', value: 5 }],
      },
    })
    expect(
      fires(both, { message: 'talk to an agent', business_hours_open: true, visitor_message_count: 6 }),
    ).toBe(true)
    expect(
      fires(both, { message: 'talk to an agent', business_hours_open: true, visitor_message_count: 2 }),
    ).toBe(false)
  })

  it('keywords AND conditions: a keyword alone is not enough when conditions fail', () => {
    const r2 = rule({
      trigger_keywords: ['refund'],
      trigger_conditions: { all: [{ type: 'visitor_message_count', op: 'gte', value: 3 }] },
    })
    expect(fires(r2, { message: 'refund', visitor_message_count: 1 })).toBe(false)
    expect(fires(r2, { message: 'refund', visitor_message_count: 3 })).toBe(true)
    expect(fires(r2, { message: 'hello', visitor_message_count: 3 })).toBe(false)
  })
})

describe('ordering', () => {
  it('the higher priority_level wins (5 is the most urgent)', () => {
    const low = rule({ trigger_keywords: ['refund'], priority_level: 2 })
    const high = rule({ trigger_keywords: ['refund'], priority_level: 5 })
    const { fired, trace } = evaluateRules([low, high], { message: 'refund please' })
    expect(fired).toMatchObject({ rule_id: high.id, priority: 5 })
    expect(fired!.reason).toContain('priority 5')
    expect(trace.map((t) => t.rule_id)).toEqual([high.id]) // stops at the winner
  })

  it('same priority: the older rule wins whatever the input order, then the id', () => {
    const older = rule({ trigger_keywords: ['refund'] })
    const newer = rule({ trigger_keywords: ['refund'] })
    expect(evaluateRules([newer, older], { message: 'refund' }).fired!.rule_id).toBe(older.id)
    const a = { ...rule({ trigger_keywords: ['refund'] }, 'b-id'), created_at: null }
    const b = { ...rule({ trigger_keywords: ['refund'] }, 'a-id'), created_at: null }
    expect(evaluateRules([a, b], { message: 'refund' }).fired!.rule_id).toBe('a-id')
  })

  it('inactive rules are skipped', () => {
    const off = rule({ trigger_keywords: ['refund'], priority_level: 5, is_active: false })
    const on = rule({ trigger_keywords: ['refund'], priority_level: 1 })
    const { fired, trace } = evaluateRules([off, on], { message: 'refund' })
    expect(fired!.rule_id).toBe(on.id)
    expect(trace.some((t) => t.rule_id === off.id)).toBe(false)
  })

  it('traceAll evaluates every rule; rules that did not fire come first in order', () => {
    const miss = rule({ trigger_keywords: ['cancel'], priority_level: 5 })
    const hit = rule({ trigger_keywords: ['refund'], priority_level: 3 })
    const after = rule({ trigger_keywords: ['refund'], priority_level: 1 })
    const { fired, trace } = evaluateRules(
      compileRules([after, hit, miss]),
      { message: 'refund' },
      { traceAll: true },
    )
    expect(fired!.rule_id).toBe(hit.id)
    expect(trace.map((t) => [t.rule_id, t.fired])).toEqual([
      [miss.id, false],
      [hit.id, true],
      [after.id, true],
    ])
    expect(trace[0].detail).toBe('did not fire: no keyword matched')
  })

  it('nothing fires -> null', () => {
    expect(evaluateRules([rule({ trigger_keywords: ['refund'] })], { message: 'hello' }).fired).toBeNull()
    expect(evaluateRules([], { message: 'hello' })).toEqual({ fired: null, trace: [] })
  })

  it('a stored rule that no longer validates never fires and says why', () => {
    const bad = {
      ...rule({ trigger_keywords: ['refund'] }),
      trigger_conditions: { all: [{ type: 'message_regex', pattern: '(a)\\1' }] },
    } as Rule
    const { fired, trace } = evaluateRules([bad], {
      message: 'refund aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
    })
    expect(fired).toBeNull()
    expect(trace[0].detail).toMatch(
      /^rule is invalid and never fires \(trigger_conditions\.all\[0\]\.pattern: /,
    )
  })
})

describe('validation', () => {
  const fieldOf = (input: unknown) => {
    try {
      parseRule(input)
    } catch (err) {
      expect(err).toBeInstanceOf(RuleValidationError)
      return { field: (err as RuleValidationError).field, message: (err as Error).message }
    }
    throw new Error('expected the rule to be refused')
  }
  const base = { name: 'r', trigger_keywords: ['x'] }
  const cases: [string, unknown, string, RegExp][] = [
    [
      'bad regex',
      { ...base, trigger_conditions: { all: [{ type: 'message_regex', pattern: '(unclosed' }] } },
      'trigger_conditions.all[0].pattern',
      /not a valid regular expression/,
    ],
    [
      // (a+)+$ and friends are accepted now: they run on re2js in linear time (tests/security/redos.test.ts).
      'regex too large to run cheaply',
      {
        ...base,
        trigger_conditions: {
          any: [{ type: 'human_requested' }, { type: 'message_regex', pattern: '(.{0,99}){9}z' }],
        },
      },
      'trigger_conditions.any[1].pattern',
      /too complex/,
    ],
    [
      'lookahead regex',
      { ...base, trigger_conditions: { all: [{ type: 'message_regex', pattern: '(?=a)a' }] } },
      'trigger_conditions.all[0].pattern',
      /lookarounds|not a valid/,
    ],
    [
      'back-reference',
      { ...base, trigger_conditions: { all: [{ type: 'message_regex', pattern: '(a)\\1' }] } },
      'trigger_conditions.all[0].pattern',
      /back-references/,
    ],
    [
      'regex too long',
      { ...base, trigger_conditions: { all: [{ type: 'message_regex', pattern: 'a'.repeat(201) }] } },
      'trigger_conditions.all[0].pattern',
      /200/,
    ],
    [
      'lookbehind url regex',
      { ...base, trigger_conditions: { all: [{ type: 'page_url', pattern: '/(?<=x)y/' }] } },
      'trigger_conditions.all[0].pattern',
      /lookarounds|not a valid/,
    ],
    [
      'specific without agent_ids',
      { ...base, agent_assignment_logic: { strategy: 'specific' } },
      'agent_assignment_logic.agent_ids',
      /at least one agent/,
    ],
    [
      'specific with a bad id',
      { ...base, agent_assignment_logic: { strategy: 'specific', agent_ids: ['bob'] } },
      'agent_assignment_logic.agent_ids[0]',
      /UUID/i,
    ],
    ['priority 0', { ...base, priority_level: 0 }, 'priority_level', />=1/],
    ['priority 6', { ...base, priority_level: 6 }, 'priority_level', /<=5/],
    ['empty rule', { name: 'r' }, 'trigger_keywords', /at least one keyword or one condition/],
    [
      'empty rule with empty group',
      { name: 'r', trigger_keywords: [], trigger_conditions: {} },
      'trigger_keywords',
      /at least one keyword/,
    ],
    [
      'unknown condition type',
      { ...base, trigger_conditions: { all: [{ type: 'moon_phase' }] } },
      'trigger_conditions.all[0].type',
      /unknown condition type/,
    ],
    [
      'misspelt field',
      { ...base, trigger_conditions: { all: [{ type: 'visitor_message_count', op: 'gte', valeu: 3 }] } },
      'trigger_conditions.all[0].value',
      /number/,
    ],
    [
      'unknown field',
      { ...base, trigger_conditions: { all: [{ type: 'human_requested', when: 'now' }] } },
      'trigger_conditions.all[0].when',
      /unknown field/,
    ],
    [
      'bad comparison',
      { ...base, trigger_conditions: { all: [{ type: 'visitor_message_count', op: '>=', value: 3 }] } },
      'trigger_conditions.all[0].op',
      /./,
    ],
    [
      'attribute gt without a number',
      { ...base, trigger_conditions: { all: [{ type: 'attribute', key: 'ltv', op: 'gt', value: 'big' }] } },
      'trigger_conditions.all[0].value',
      /needs a number/,
    ],
    ['empty group', { ...base, trigger_conditions: { all: [] } }, 'trigger_conditions.all', /at least one/],
    [
      'too deep',
      {
        ...base,
        trigger_conditions: { all: [{ any: [{ all: [{ any: [{ type: 'human_requested' }] }] }] }] },
      },
      'trigger_conditions.all[0].any[0].all[0]',
      /3 levels/,
    ],
    [
      'not a condition',
      { ...base, trigger_conditions: { all: ['human'] } },
      'trigger_conditions.all[0]',
      /condition object/,
    ],
    ['empty keyword', { name: 'r', trigger_keywords: ['  '] }, 'trigger_keywords[0]', /empty/],
    ['keyword too long', { name: 'r', trigger_keywords: ['x'.repeat(101)] }, 'trigger_keywords[0]', /100/],
    ['no name', { trigger_keywords: ['x'] }, 'name', /./],
  ]
  it.each(cases)('%s', (_name, input, field, message) => {
    const e = fieldOf(input)
    expect(e.field).toBe(field)
    expect(e.message.startsWith(`${field}: `)).toBe(true)
    expect(e.message).toMatch(message)
  })

  it('normalises: defaults, trimmed and de-duplicated keywords', () => {
    expect(parseRule({ name: ' Refunds ', trigger_keywords: [' Remboursé', 'rembourse', 'refund'] })).toEqual(
      {
        name: 'Refunds',
        trigger_keywords: ['Remboursé', 'refund'],
        trigger_conditions: {},
        priority_level: 3,
        agent_assignment_logic: { strategy: 'least_busy' },
        is_active: true,
      },
    )
    expect(
      parseRule({ name: 'r', trigger_conditions: { all: [{ type: 'low_confidence_streak', min: 2 }] } })
        .trigger_conditions,
    ).toEqual({
      all: [{ type: 'low_confidence_streak', min: 2, threshold: 0.35 }],
    })
  })

  it('accepts the deepest allowed nesting and safe regexes', () => {
    expect(() =>
      parseRule({
        name: 'deep',
        trigger_conditions: {
          all: [{ any: [{ all: [{ type: 'message_regex', pattern: '^\\p{Lu}{3,}', flags: 'u' }] }] }],
        },
        agent_assignment_logic: { strategy: 'specific', agent_ids: ['0b7c1e5e-8d5a-4c38-9a4e-3c1f0f3d2a11'] },
      }),
    ).not.toThrow()
  })
})
