import { afterAll, beforeAll, expect, it } from 'vitest'
import { BIDI_CONTROLS, stripBidi } from '../../api/src/http/text'
import { createTestApp, DEMO_ORIGIN, type TestApp } from '../helpers/app'

/**
 * Class: bidirectional control characters in a visitor-supplied string reorder what an agent reads
 * ("\u202Egnp.exe" shows as "exe.png"). They are removed at input wherever a visitor names itself
 * (context, identity, contact) and again when the console shows customer fields.
 */
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const CONTROLS = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
]
const h = { origin: DEMO_ORIGIN }
const contextOf = async (id: string) =>
  (await t.deps.pool.query('select customer_context from chatbot_sessions where id = $1', [id])).rows[0]
    .customer_context

it.each(CONTROLS.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase(), c]))('U+%s is removed', (_, c) => {
  expect(stripBidi(`Ali${c}ce`)).toBe('Alice')
  expect(new RegExp(BIDI_CONTROLS.source).test(c)).toBe(true)
})

// [where, how the spoof is sent, which stored field must be clean]
const TABLE: [string, (spoof: string) => Promise<string>, (ctx: any) => unknown][] = [
  [
    'context value',
    async (s) =>
      (
        (await (
          await t.json('POST', '/v1/sessions', { key: 'pk_demo', context: { name: s } }, h)
        ).json()) as any
      ).session.id,
    (ctx) => ctx.name,
  ],
  [
    'context key',
    async (s) =>
      (
        (await (
          await t.json('POST', '/v1/sessions', { key: 'pk_demo', context: { [`pl${s}an`]: 'x' } }, h)
        ).json()) as any
      ).session.id,
    (ctx) => Object.keys(ctx).join(','),
  ],
  [
    'identity name (unverified)',
    async (s) =>
      (
        (await (
          await t.json('POST', '/v1/sessions', { key: 'pk_demo', identity: { user_id: 'u', name: s } }, h)
        ).json()) as any
      ).session.id,
    (ctx) => ctx.name,
  ],
  [
    'contact name',
    async (s) => {
      const created = (await (await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, h)).json()) as any
      await t.json(
        'POST',
        `/v1/sessions/${created.session.id}/contact`,
        { email: 'a@b.test', name: s },
        { authorization: `Bearer ${created.token}`, ...h },
      )
      return created.session.id
    },
    (ctx) => ctx.name,
  ],
]

it.each(TABLE)('%s is stored without bidi controls', async (_, send, field) => {
  for (const c of CONTROLS) {
    const id = await send(`Admin${c}gnp.exe`)
    const value = String(field(await contextOf(id)))
    expect(value).not.toMatch(new RegExp(BIDI_CONTROLS.source))
  }
})
