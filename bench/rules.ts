/**
 * `npx tsx bench/rules.ts`: time to evaluate one visitor message against 100 active escalation rules
 * (keywords in five languages, condition trees, regular expressions, page globs, attributes), over
 * 5000 messages of varied length and language. Prints a table and writes bench/results/rules.json.
 * Deterministic inputs (seeded generator) so runs compare.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { compileRules } from '../api/src/escalation/rule-compile'
import { parseRule, type Rule } from '../api/src/escalation/rule-schema'
import { evaluateRules, type EvalInput } from '../api/src/escalation/rules'
import { mulberry32, percentile } from './lib'

const RULES = 100
const MESSAGES = Number(process.env.BENCH_RULE_MESSAGES ?? 5000)

const rng = mulberry32

const KEYWORDS = [
  'remboursement',
  'annulation',
  'réclamation',
  'avocat',
  'fraude',
  'urgent',
  'plainte',
  'colis perdu',
  'résilier',
  'refund',
  'chargeback',
  'cancel my subscription',
  'lawyer',
  'data breach',
  'broken',
  'complaint',
  'manager',
  'reembolso',
  'cancelación',
  'queja',
  'abogado',
  'estafa',
  'denuncia',
  'factura incorrecta',
  'reembolso',
  'cancelamento',
  'reclamação',
  'advogado',
  'golpe',
  'procon',
  'cobrança indevida',
  'kündigen',
  'Rückerstattung',
  'Beschwerde',
  'Anwalt',
  'оператор',
  'возврат',
  '人工',
  '退款',
]
const WORDS = {
  fr: 'bonjour je voudrais savoir quand mon colis arrivera car la livraison prend du temps et je suis un peu inquiet merci de votre aide pour la commande'.split(
    ' ',
  ),
  en: 'hello I would like to know when my parcel will arrive because the delivery is taking a while and I am a bit worried thanks for your help with the order'.split(
    ' ',
  ),
  es: 'hola quisiera saber cuándo llegará mi paquete porque el envío tarda y estoy un poco preocupado gracias por su ayuda con el pedido'.split(
    ' ',
  ),
  pt: 'olá gostaria de saber quando meu pacote vai chegar porque a entrega está demorando e estou um pouco preocupado obrigado pela ajuda com o pedido'.split(
    ' ',
  ),
  de: 'hallo ich möchte wissen wann mein Paket ankommt weil die Lieferung dauert und ich etwas besorgt bin danke für Ihre Hilfe mit der Bestellung'.split(
    ' ',
  ),
}
const EXTRAS = [
  '!!!',
  'HELP',
  'parler à un humain',
  'talk to a human',
  'FR123456',
  'pas content',
  'no funciona',
]
const REGEXES = [
  '\\b[A-Z]{2}\\d{6}\\b',
  '\\border\\s*#?\\d{4,}',
  '(?:iban|swift)\\s*[:=]',
  '\\b\\d{3}-\\d{3}-\\d{4}\\b',
  '^\\p{Lu}{4,}',
  'https?://\\S+',
]

function buildRules(rand: () => number): Rule[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]
  const rules: Rule[] = []
  for (let i = 0; i < RULES; i++) {
    const kind = i % 5
    const keywords =
      kind === 4 ? [] : Array.from({ length: 2 + Math.floor(rand() * 6) }, () => pick(KEYWORDS))
    const conditions: Record<string, unknown>[] = []
    if (kind === 1 || kind === 4)
      conditions.push({ type: 'visitor_message_count', op: 'gte', value: 1 + Math.floor(rand() * 5) })
    if (kind === 2 || kind === 4)
      conditions.push({ type: 'message_regex', pattern: pick(REGEXES), flags: rand() < 0.5 ? 'iu' : 'u' })
    if (kind === 3) {
      conditions.push({
        any: [
          { type: 'sentiment', in: ['negative'] },
          { type: 'attribute', key: 'plan', op: 'in', value: ['pro', 'enterprise'] },
          {
            all: [
              { type: 'page_url', pattern: '*/checkout*' },
              { type: 'low_confidence_streak', min: 2 },
            ],
          },
        ],
      })
    }
    if (kind === 4)
      conditions.push({ any: [{ type: 'human_requested' }, { type: 'outside_business_hours' }] })
    const body = {
      name: `rule ${i}`,
      trigger_keywords: keywords,
      trigger_conditions: conditions.length ? { all: conditions } : {},
      priority_level: 1 + (i % 5),
      agent_assignment_logic: { strategy: 'least_busy' },
    }
    rules.push({
      ...parseRule(body),
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      created_at: new Date(1_700_000_000_000 + i).toISOString(),
    })
  }
  return rules
}

function buildMessages(rand: () => number): EvalInput[] {
  const langs = Object.keys(WORDS) as (keyof typeof WORDS)[]
  return Array.from({ length: MESSAGES }, (_, i) => {
    const words = WORDS[langs[i % langs.length]]
    // Mostly short chat messages, some paragraphs, a few pasted walls of text.
    const r = rand()
    const length =
      r < 0.7
        ? 4 + Math.floor(rand() * 20)
        : r < 0.95
          ? 30 + Math.floor(rand() * 80)
          : 200 + Math.floor(rand() * 300)
    const parts = Array.from({ length }, () => words[Math.floor(rand() * words.length)])
    if (rand() < 0.15)
      parts.splice(Math.floor(rand() * parts.length), 0, EXTRAS[Math.floor(rand() * EXTRAS.length)])
    if (rand() < 0.1)
      parts.splice(Math.floor(rand() * parts.length), 0, KEYWORDS[Math.floor(rand() * KEYWORDS.length)])
    return {
      message: parts.join(' '),
      visitor_message_count: 1 + Math.floor(rand() * 8),
      recent_confidences: [rand(), rand(), rand()],
      triage: rand() < 0.5 ? { sentiment: rand() < 0.3 ? 'negative' : 'neutral', intent: 'shipping' } : null,
      business_hours_open: rand() < 0.7,
      page_url: 'https://shop.example/' + (rand() < 0.2 ? 'checkout' : 'products/42'),
      attributes: { plan: rand() < 0.3 ? 'pro' : 'free' },
    }
  })
}

const pct = percentile
const round = (n: number) => Math.round(n * 10) / 10

/** Runs the benchmark; returns the table's rows (also printed and written to bench/results/rules.json). */
export async function benchRules(): Promise<{ rows: Record<string, unknown>[] }> {
  const rand = rng(42)
  const rules = buildRules(rand)
  const messages = buildMessages(rand)
  const rows: Record<string, unknown>[] = []

  const c0 = performance.now()
  const compiled = compileRules(rules)
  const compileMs = performance.now() - c0

  for (const traceAll of [false, true]) {
    // Warm up the JIT and the regex caches so the figures are steady-state.
    for (let i = 0; i < 500; i++) evaluateRules(compiled, messages[i % messages.length], { traceAll })
    const times: number[] = []
    let fired = 0
    let evaluated = 0
    // CPU time as well as wall time: on a shared machine the wall-clock tail mostly measures the
    // scheduler, while CPU time per message is what the rules cost.
    const cpu0 = process.cpuUsage()
    for (const input of messages) {
      const t0 = performance.now()
      const r = evaluateRules(compiled, input, { traceAll })
      times.push((performance.now() - t0) * 1000)
      if (r.fired) fired++
      evaluated += r.trace.length
    }
    const cpu = process.cpuUsage(cpu0)
    const sorted = [...times].sort((a, b) => a - b)
    rows.push({
      mode: traceAll ? 'trace all rules' : 'first match (default)',
      rules: RULES,
      messages: messages.length,
      fired_pct: round((fired / messages.length) * 100),
      rules_evaluated_avg: round(evaluated / messages.length),
      cpu_us_per_msg: round((cpu.user + cpu.system) / messages.length),
      mean_us: round(times.reduce((a, b) => a + b, 0) / times.length),
      p50_us: round(pct(sorted, 50)),
      p95_us: round(pct(sorted, 95)),
      p99_us: round(pct(sorted, 99)),
      max_us: round(sorted[sorted.length - 1]),
    })
  }

  // Catastrophic input for the regex conditions: long runs the patterns could backtrack on.
  const hostile = { message: 'A'.repeat(50_000) + '!', visitor_message_count: 9 }
  const h0 = performance.now()
  evaluateRules(compiled, hostile, { traceAll: true })
  rows.push({
    mode: 'one 50 kB hostile message, all rules',
    rules: RULES,
    messages: 1,
    mean_us: round((performance.now() - h0) * 1000),
  })

  console.table(rows)
  console.log(`compileRules(${RULES}) took ${round(compileMs)} ms`)
  mkdirSync('bench/results', { recursive: true })
  const out = { when: new Date().toISOString(), node: process.version, compile_ms: round(compileMs), rows }
  writeFileSync('bench/results/rules.json', JSON.stringify(out, null, 2) + '\n')
  console.log('wrote bench/results/rules.json')
  return { rows }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchRules()
