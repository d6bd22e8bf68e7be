/**
 * The conditions editor: an all/any group of conditions and nested groups (at most three levels, as
 * the API accepts), every condition type with its own fields, and the API's validation message
 * under the very condition it names ("trigger_conditions.all[1].pattern: ...").
 */
import type {
  AttributeOp,
  AttributeValue,
  Comparison,
  Condition,
  ConditionGroup,
  ConditionType,
  Sentiment,
} from '../../../../contract'
import { Field, messageFor } from '../../components/field'
import { useT } from '../../i18n'
import { strings } from './strings'

export const CONDITION_TYPES: ConditionType[] = [
  'human_requested',
  'visitor_message_count',
  'low_confidence_streak',
  'sentiment',
  'intent',
  'outside_business_hours',
  'page_url',
  'attribute',
  'message_regex',
]
const COMPARISONS: Comparison[] = ['gte', 'gt', 'eq', 'lte', 'lt']
const COMPARISON_TEXT: Record<Comparison, string> = { gte: '≥', gt: '>', eq: '=', lte: '≤', lt: '<' }
const ATTRIBUTE_OPS: AttributeOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'in']
const SENTIMENTS: Sentiment[] = ['negative', 'neutral', 'positive']
export const MAX_DEPTH = 3

/** A condition being edited; `raw` keeps what the person typed for list and value fields. */
export interface CondDraft {
  kind: 'cond'
  key: number
  c: Condition
  raw: string
}
export interface GroupDraft {
  kind: 'group'
  key: number
  mode: 'all' | 'any'
  items: (CondDraft | GroupDraft)[]
}

let nextKey = 1
const key = () => nextKey++

export function blankCondition(type: ConditionType): Condition {
  switch (type) {
    case 'visitor_message_count':
      return { type, op: 'gte', value: 3 }
    case 'low_confidence_streak':
      return { type, min: 2, threshold: 0.35 }
    case 'sentiment':
      return { type, in: ['negative'] }
    case 'intent':
      return { type, in: [] }
    case 'page_url':
      return { type, pattern: '' }
    case 'attribute':
      return { type, key: '', op: 'eq', value: '' }
    case 'message_regex':
      return { type, pattern: '' }
    default:
      return { type } as Condition
  }
}

const rawOf = (c: Condition) =>
  c.type === 'intent'
    ? c.in.join(', ')
    : c.type === 'attribute'
      ? Array.isArray(c.value)
        ? c.value.map(String).join(', ')
        : c.value == null
          ? ''
          : String(c.value)
      : ''

/** The API's group (or {}) as an editable tree. */
export function toDraft(group: ConditionGroup | null | undefined): GroupDraft {
  const g = group ?? {}
  const node = (n: Condition | ConditionGroup): CondDraft | GroupDraft =>
    'type' in n ? { kind: 'cond', key: key(), c: n, raw: rawOf(n) } : toDraft(n)
  const mode: 'all' | 'any' = g.all?.length || !g.any?.length ? 'all' : 'any'
  const items = (g[mode] ?? []).map(node)
  // A group with both lists keeps the other one as a nested group.
  const other = mode === 'all' ? g.any : undefined
  if (other?.length) items.push({ kind: 'group', key: key(), mode: 'any', items: other.map(node) })
  return { kind: 'group', key: key(), mode, items }
}

/** "3" -> 3, "true" -> true, "null" -> null, anything else stays text. */
export function parseScalar(text: string): AttributeValue {
  const s = text.trim()
  if (s === 'true') return true
  if (s === 'false') return false
  if (s === 'null') return null
  if (s !== '' && !Number.isNaN(Number(s))) return Number(s)
  return s
}

function fromCond(d: CondDraft): Condition {
  const c = d.c
  if (c.type === 'intent') {
    return {
      type: 'intent',
      in: d.raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    }
  }
  if (c.type === 'attribute') {
    const { value: _v, ...rest } = c
    if (c.op === 'exists') return rest
    if (c.op === 'in')
      return {
        ...rest,
        value: d.raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map(parseScalar),
      }
    return { ...rest, value: parseScalar(d.raw) }
  }
  if (c.type === 'message_regex' && !c.flags) return { type: c.type, pattern: c.pattern }
  return c
}

/** The editable tree as the API's body (an empty root is {}). */
export function fromDraft(g: GroupDraft): ConditionGroup {
  if (g.items.length === 0) return {}
  return { [g.mode]: g.items.map((n) => (n.kind === 'cond' ? fromCond(n) : fromDraft(n))) }
}

/** How many conditions a tree holds. */
export function countConditions(g: ConditionGroup | null | undefined): number {
  if (!g) return 0
  return [...(g.all ?? []), ...(g.any ?? [])].reduce((n, c) => n + ('type' in c ? 1 : countConditions(c)), 0)
}

interface GroupEditorProps {
  group: GroupDraft
  onChange: (g: GroupDraft) => void
  onRemove?: () => void
  /** "trigger_conditions" for the root; errors under it are matched by path. */
  path: string
  depth: number
  error: unknown
}

export function GroupEditor({ group, onChange, onRemove, path, depth, error }: GroupEditorProps) {
  const t = useT(strings)
  const setItem = (i: number, item: CondDraft | GroupDraft) =>
    onChange({ ...group, items: group.items.map((x, j) => (j === i ? item : x)) })
  const remove = (i: number) => onChange({ ...group, items: group.items.filter((_, j) => j !== i) })
  const groupError = messageFor(error, path)
  const ownError =
    groupError && !group.items.some((_, i) => messageFor(error, `${path}.${group.mode}[${i}]`))
      ? groupError
      : null
  return (
    <fieldset class={`cond-group-edit depth-${depth}`}>
      <legend class="sr-only">{t(`group.${group.mode}`)}</legend>
      <div class="cond-group-head">
        <label class="inline-field">
          <span>{t('groupMode')}</span>
          <select
            value={group.mode}
            onChange={(e) => onChange({ ...group, mode: e.currentTarget.value as 'all' | 'any' })}
          >
            <option value="all">{t('group.all')}</option>
            <option value="any">{t('group.any')}</option>
          </select>
        </label>
        {onRemove && (
          <button type="button" class="btn btn-small btn-ghost" onClick={onRemove}>
            {t('removeGroup')}
          </button>
        )}
      </div>
      {group.items.length > 0 && (
        <ul class="cond-edit-list">
          {group.items.map((item, i) => {
            const itemPath = `${path}.${group.mode}[${i}]`
            return (
              <li key={item.key}>
                {item.kind === 'cond' ? (
                  <ConditionEditor
                    draft={item}
                    onChange={(d) => setItem(i, d)}
                    onRemove={() => remove(i)}
                    path={itemPath}
                    error={error}
                  />
                ) : (
                  <GroupEditor
                    group={item}
                    onChange={(g) => setItem(i, g)}
                    onRemove={() => remove(i)}
                    path={itemPath}
                    depth={depth + 1}
                    error={error}
                  />
                )}
              </li>
            )
          })}
        </ul>
      )}
      {ownError && <p class="field-error">{ownError}</p>}
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-small"
          onClick={() =>
            onChange({
              ...group,
              items: [
                ...group.items,
                { kind: 'cond', key: key(), c: blankCondition('human_requested'), raw: '' },
              ],
            })
          }
        >
          + {t('addCondition')}
        </button>
        {depth < MAX_DEPTH && (
          <button
            type="button"
            class="btn btn-small"
            onClick={() =>
              onChange({
                ...group,
                items: [
                  ...group.items,
                  {
                    kind: 'group',
                    key: key(),
                    mode: group.mode === 'all' ? 'any' : 'all',
                    items: [{ kind: 'cond', key: key(), c: blankCondition('human_requested'), raw: '' }],
                  },
                ],
              })
            }
          >
            + {t('addGroup')}
          </button>
        )}
      </div>
    </fieldset>
  )
}

interface ConditionEditorProps {
  draft: CondDraft
  onChange: (d: CondDraft) => void
  onRemove: () => void
  /** "trigger_conditions.all[1]": the API's message for a field of it shows under that field. */
  path: string
  error: unknown
}

const SUBFIELDS = ['op', 'value', 'min', 'threshold', 'pattern', 'flags', 'key']

function ConditionEditor({ draft, onChange, onRemove, path, error }: ConditionEditorProps) {
  const t = useT(strings)
  const c = draft.c
  const fieldError = (name: string) => messageFor(error, `${path}.${name}`)
  const rowMessage = messageFor(error, path)
  // What no single field shows (a list, the type, the whole condition) shows under the row.
  const rowError = rowMessage && !SUBFIELDS.some((f) => fieldError(f)) ? rowMessage : null
  const invalid = rowMessage !== null
  const set = (patch: Partial<Condition>) => onChange({ ...draft, c: { ...c, ...patch } as Condition })
  const setRaw = (raw: string) => onChange({ ...draft, raw })
  return (
    <div class={`cond-edit${invalid ? ' cond-edit-invalid' : ''}`}>
      <div class="cond-edit-fields">
        <Field label={t('conditionType')}>
          {(p) => (
            <select
              {...p}
              value={c.type}
              onChange={(e) => {
                const next = blankCondition(e.currentTarget.value as ConditionType)
                onChange({ ...draft, c: next, raw: rawOf(next) })
              }}
            >
              {CONDITION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`type.${type}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {c.type === 'visitor_message_count' && (
          <>
            <Field label={t('op')} error={fieldError('op')}>
              {(p) => (
                <select
                  {...p}
                  value={c.op}
                  onChange={(e) => set({ op: e.currentTarget.value as Comparison })}
                >
                  {COMPARISONS.map((o) => (
                    <option key={o} value={o}>
                      {COMPARISON_TEXT[o]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('value')} error={fieldError('value')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  value={c.value}
                  onInput={(e) => set({ value: e.currentTarget.valueAsNumber })}
                />
              )}
            </Field>
          </>
        )}
        {c.type === 'low_confidence_streak' && (
          <>
            <Field label={t('min')} error={fieldError('min')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={1}
                  value={c.min}
                  onInput={(e) => set({ min: e.currentTarget.valueAsNumber })}
                />
              )}
            </Field>
            <Field label={t('threshold')} error={fieldError('threshold')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  max={1}
                  step={0.05}
                  value={c.threshold ?? 0.35}
                  onInput={(e) => set({ threshold: e.currentTarget.valueAsNumber })}
                />
              )}
            </Field>
          </>
        )}
        {c.type === 'sentiment' && (
          <fieldset class="plain cond-checks">
            <legend class="form-label">{t('type.sentiment')}</legend>
            {SENTIMENTS.map((s) => (
              <label key={s} class="check">
                <input
                  type="checkbox"
                  checked={c.in.includes(s)}
                  onChange={(e) =>
                    set({ in: e.currentTarget.checked ? [...c.in, s] : c.in.filter((x) => x !== s) })
                  }
                />
                {t(`sentiment.${s}`)}
              </label>
            ))}
          </fieldset>
        )}
        {c.type === 'intent' && (
          <Field label={t('intents')} class="grow">
            {(p) => (
              <input {...p} type="text" value={draft.raw} onInput={(e) => setRaw(e.currentTarget.value)} />
            )}
          </Field>
        )}
        {(c.type === 'page_url' || c.type === 'message_regex') && (
          <Field
            label={t('pattern')}
            hint={c.type === 'page_url' ? t('pagePatternHint') : t('regexHint')}
            error={fieldError('pattern')}
            class="grow"
          >
            {(p) => (
              <input
                {...p}
                type="text"
                spellcheck={false}
                value={c.pattern}
                onInput={(e) => set({ pattern: e.currentTarget.value })}
              />
            )}
          </Field>
        )}
        {c.type === 'message_regex' && (
          <Field label={t('flags')} error={fieldError('flags')}>
            {(p) => (
              <select
                {...p}
                value={c.flags ?? ''}
                onChange={(e) =>
                  set({ flags: (e.currentTarget.value || undefined) as 'i' | 'u' | 'iu' | undefined })
                }
              >
                <option value="">{t('flags.none')}</option>
                <option value="i">{t('flags.i')}</option>
                <option value="u">{t('flags.u')}</option>
                <option value="iu">{t('flags.iu')}</option>
              </select>
            )}
          </Field>
        )}
        {c.type === 'attribute' && (
          <>
            <Field label={t('attrKey')} error={fieldError('key')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  spellcheck={false}
                  value={c.key}
                  onInput={(e) => set({ key: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field label={t('op')} error={fieldError('op')}>
              {(p) => (
                <select
                  {...p}
                  value={c.op}
                  onChange={(e) => set({ op: e.currentTarget.value as AttributeOp })}
                >
                  {ATTRIBUTE_OPS.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {c.op !== 'exists' && (
              <Field label={t('attrValue')} error={fieldError('value')}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    value={draft.raw}
                    onInput={(e) => setRaw(e.currentTarget.value)}
                  />
                )}
              </Field>
            )}
          </>
        )}
        <button
          type="button"
          class="btn btn-small btn-ghost cond-remove"
          onClick={onRemove}
          aria-label={`${t('removeCondition')}: ${t(`type.${c.type}`)}`}
        >
          ✕
        </button>
      </div>
      {rowError && <p class="field-error">{rowError}</p>}
    </div>
  )
}
