/**
 * The orders CSV (docs/api.md "Orders CSV"): a header row, then one row per order item. Columns:
 * order_id, status, currency, user_id, email, phone, name, item_name, quantity, unit_price (any order;
 * the item columns may be empty for an order without items). Rows of one order_id are one order.
 * RFC 4180 quoting. A bad row is a 400 naming its line and column; nothing is imported then.
 */
import { badRequest } from '../errors'
import { externalIdRe, MAX_ITEMS, orderSchema, type OrderInput } from './orders'

export const MAX_CSV_ROWS = 20_000
const COLUMNS = [
  'order_id',
  'status',
  'currency',
  'user_id',
  'email',
  'phone',
  'name',
  'item_name',
  'quantity',
  'unit_price',
]

/** Splits CSV text into rows of fields (quotes, doubled quotes, CRLF). Linear in the text. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      field = ''
      if (row.some((f) => f !== '')) rows.push(row)
      row = []
      if (rows.length > MAX_CSV_ROWS + 1)
        throw badRequest('csv_too_large', `csv: at most ${MAX_CSV_ROWS} rows.`)
    } else field += ch
  }
  if (quoted) throw badRequest('validation_failed', 'csv: a quoted field is not closed.')
  row.push(field)
  if (row.some((f) => f !== '')) rows.push(row)
  return rows
}

/** The orders of a CSV export, by order id, validated like PUT .../orders/:externalId bodies. */
export function parseOrdersCsv(text: string): Map<string, OrderInput> {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''))
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase())
  for (const need of ['order_id', 'status'])
    if (!header.includes(need))
      throw badRequest('validation_failed', `csv: the header has no ${need} column.`)
  const unknown = header.find((h) => !COLUMNS.includes(h))
  if (unknown)
    throw badRequest(
      'validation_failed',
      `csv: unknown column "${unknown.slice(0, 40)}" (known: ${COLUMNS.join(', ')}).`,
    )
  const col = (r: string[], name: string) => {
    const i = header.indexOf(name)
    const v = i < 0 ? '' : (r[i] ?? '').trim()
    return v === '' ? undefined : v
  }
  const raw = new Map<string, { line: number; body: Record<string, any> }>()
  rows.forEach((r, index) => {
    const line = index + 2
    const id = col(r, 'order_id')
    if (!id || !externalIdRe.test(id))
      throw badRequest(
        'validation_failed',
        `csv line ${line}: order_id is missing or not a valid order number.`,
      )
    let entry = raw.get(id)
    if (!entry) {
      const contact = Object.fromEntries(
        (['user_id', 'email', 'phone', 'name'] as const)
          .map((k) => [k, col(r, k)])
          .filter(([, v]) => v !== undefined),
      )
      entry = {
        line,
        body: {
          status: col(r, 'status'),
          ...(col(r, 'currency') ? { currency: col(r, 'currency') } : {}),
          ...(Object.keys(contact).length ? { contact } : {}),
          items: [],
        },
      }
      raw.set(id, entry)
    }
    const item = col(r, 'item_name')
    if (item !== undefined) {
      if (entry.body.items.length >= MAX_ITEMS)
        throw badRequest(
          'validation_failed',
          `csv line ${line}: more than ${MAX_ITEMS} items in order ${id}.`,
        )
      entry.body.items.push({
        name: item,
        quantity: Number(col(r, 'quantity') ?? '1'),
        unit_price: Number((col(r, 'unit_price') ?? '').replace(',', '.')),
      })
    }
  })
  const out = new Map<string, OrderInput>()
  for (const [id, { line, body }] of raw) {
    const parsed = orderSchema.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw badRequest(
        'validation_failed',
        `csv line ${line} (order ${id}): ${issue.path.join('.') || 'row'}: ${issue.message}`,
      )
    }
    out.set(id, parsed.data)
  }
  return out
}
