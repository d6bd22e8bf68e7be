/**
 * Topics of a day: the visitors' questions of one tenant's day, clustered by what they are about. The
 * terms of answerability (answers/terms.ts) decide: the lexicon's concepts are the same in every
 * language ("livraison", "shipping", "envío" are one concept), so a French and an English question
 * about delivery fall in one topic; a question with no concept is grouped by the stems of its words.
 * Deterministic and linear in the number of questions; re-running a day replaces that day.
 */
import type pg from 'pg'
import { termsOf, type Term } from '../answers/terms'
import { withTx, type Queryable } from '../db/tx'

export interface Question {
  id: string
  session_id: string
  content: string
}

export interface Topic {
  /** The cluster's key: "c:delivery" for a concept, a word stem, or "other". */
  key: string
  topic_id: number
  label: string
  keywords: string[]
  message_count: number
  percentage: number
  sample_messages: string[]
}

/** Most questions of one day clustered (the first ones of the day beyond). */
export const MAX_TOPIC_QUESTIONS = 20_000
/** Sample message ids kept per topic. */
export const SAMPLES = 5
const KEYWORDS = 5
/** Questions between event-loop turns. */
const SLICE = 500

const OTHER = 'other'
const tick = () => new Promise((r) => setImmediate(r))

/** Clusters questions into topics, largest first (topic_id is the rank of the day, from 0). */
export async function clusterQuestions(questions: Question[]): Promise<Topic[]> {
  const termed: { q: Question; terms: Term[] }[] = []
  for (let i = 0; i < questions.length; i++) {
    const terms = termsOf(questions[i]!.content)
    // Greetings and thanks have no terms: they are not questions about anything.
    if (terms.length) termed.push({ q: questions[i]!, terms })
    if (i % SLICE === SLICE - 1) await tick()
  }
  // How many of the day's questions hold each term: a question goes to its most shared subject.
  const df = new Map<string, number>()
  for (const { terms } of termed) for (const t of terms) df.set(t.key, (df.get(t.key) ?? 0) + 1)
  const best = (candidates: Term[]) =>
    candidates.sort((a, b) => df.get(b.key)! - df.get(a.key)! || a.key.localeCompare(b.key))[0]
  const clusters = new Map<string, { q: Question; terms: Term[] }[]>()
  for (const item of termed) {
    const topics = item.terms.filter((t) => t.kind === 'topic')
    const words = item.terms.filter((t) => t.kind === 'word' && df.get(t.key)! >= 2)
    const aspects = item.terms.filter((t) => t.kind === 'aspect')
    const key = (best(topics) ?? best(words) ?? best(aspects))?.key ?? OTHER
    let list = clusters.get(key)
    if (!list) clusters.set(key, (list = []))
    list.push(item)
  }
  // A word shared by a single question is no topic.
  for (const [key, list] of clusters) {
    if (key === OTHER || key.startsWith('c:') || list.length > 1) continue
    clusters.delete(key)
    const other = clusters.get(OTHER) ?? []
    other.push(...list)
    clusters.set(OTHER, other)
  }
  const total = termed.length
  const ranked = [...clusters.entries()].sort(
    ([ka, a], [kb, b]) =>
      (ka === OTHER ? 1 : 0) - (kb === OTHER ? 1 : 0) || b.length - a.length || ka.localeCompare(kb),
  )
  return ranked.map(([key, list], rank) => {
    const written = new Map<string, number>()
    for (const { terms } of list)
      for (const t of terms)
        // The topic's own words first (every language's), then what else its questions say most.
        if (t.kind !== 'entity') written.set(t.word, (written.get(t.word) ?? 0) + (t.key === key ? 1000 : 1))
    const keywords = [...written.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, KEYWORDS)
      .map(([w]) => w)
    return {
      key,
      topic_id: rank,
      label: labelOf(key, list),
      keywords,
      message_count: list.length,
      percentage: total ? Math.round((list.length / total) * 10000) / 100 : 0,
      sample_messages: list.slice(0, SAMPLES).map(({ q }) => q.id),
    }
  })
}

/** A concept's own name, else the cluster's most written form of its word. */
function labelOf(key: string, list: { terms: Term[] }[]): string {
  if (key === OTHER) return OTHER
  if (key.startsWith('c:')) return key.slice(2)
  const forms = new Map<string, number>()
  for (const { terms } of list)
    for (const t of terms) if (t.key === key) forms.set(t.word, (forms.get(t.word) ?? 0) + 1)
  return [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? key
}

/** The visitor messages of a tenant's day (its timezone), oldest first, at most MAX_TOPIC_QUESTIONS. */
export async function questionsOfDay(db: Queryable, tenantId: string, date: string, tz: string) {
  const { rows } = await db.query(
    `select id, session_id, left(content, 2000) as content from chatbot_conversations
      where tenant_id = $1 and message_type = 'user' and not private
        and created_at >= ($2::date::timestamp at time zone $3) and created_at < (($2::date + 1)::timestamp at time zone $3)
      order by created_at, id
      limit ${MAX_TOPIC_QUESTIONS}`,
    [tenantId, date, tz],
  )
  return rows as Question[]
}

/** Clusters a tenant's day and replaces that day's topics (one transaction: never half a day). */
export async function runTopics(pool: pg.Pool, tenantId: string, date: string, tz: string) {
  const topics = await clusterQuestions(await questionsOfDay(pool, tenantId, date, tz))
  await withTx(pool, async (db) => {
    await db.query(`delete from topics_daily where tenant_id = $1 and date = $2`, [tenantId, date])
    if (topics.length)
      await db.query(
        `insert into topics_daily (tenant_id, date, topic, topic_id, label, keywords, message_count, percentage, sample_messages)
         select $1, $2, t.key, t.topic_id, t.label, array(select jsonb_array_elements_text(t.keywords)),
                t.message_count, t.percentage, t.sample_messages
           from jsonb_to_recordset($3::jsonb) as t(key text, topic_id int, label text, keywords jsonb,
                message_count int, percentage numeric, sample_messages jsonb)`,
        [tenantId, date, JSON.stringify(topics)],
      )
  })
  return topics
}

/** Topics of a date range, with each sample's session and text (the console links to the conversation). */
export async function listTopics(db: Queryable, tenantId: string, from: string, to: string) {
  const { rows } = await db.query(
    `select t.date::text as date, t.topic_id, t.label, t.keywords, t.message_count, t.percentage::float8 as percentage,
            coalesce((select jsonb_agg(jsonb_build_object('id', m.id, 'session_id', m.session_id, 'content', left(m.content, 300))
                                       order by s.ord)
                        from jsonb_array_elements_text(t.sample_messages) with ordinality as s(id, ord)
                        join chatbot_conversations m on m.id = s.id::uuid and m.tenant_id = t.tenant_id), '[]'::jsonb) as sample_messages
       from topics_daily t
      where t.tenant_id = $1 and t.date between $2::date and $3::date
      order by t.date, t.topic_id`,
    [tenantId, from, to],
  )
  return rows
}
