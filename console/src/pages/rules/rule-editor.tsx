/** Create or edit one rule: name, priority, keywords, conditions, assignment, active. */
import { useState } from 'preact/hooks'
import type { AssignmentLogic, EscalationRule, EscalationRuleInput } from '../../../../contract'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { Member } from '../../types'
import { fromDraft, GroupEditor, toDraft, type GroupDraft } from './conditions'
import { strings } from './strings'

export interface RuleEditorProps {
  rule: EscalationRule | null
  members: Member[] | null
  /** Saves; a thrown ApiError shows under the field it names. */
  onSave: (input: EscalationRuleInput) => Promise<unknown>
  onCancel: () => void
}

const FIELDS = [
  'name',
  'description',
  'priority_level',
  'trigger_keywords',
  'trigger_conditions',
  'agent_assignment_logic',
  'is_active',
]

export const splitKeywords = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((k) => k.trim())
    .filter(Boolean)

export function RuleEditor({ rule, members, onSave, onCancel }: RuleEditorProps) {
  const t = useT(strings)
  const c = useT(common)
  const [name, setName] = useState(rule?.name ?? '')
  const [description, setDescription] = useState(rule?.description ?? '')
  const [priority, setPriority] = useState(rule?.priority_level ?? 3)
  const [keywords, setKeywords] = useState((rule?.trigger_keywords ?? []).join('\n'))
  const [conditions, setConditions] = useState<GroupDraft>(() => toDraft(rule?.trigger_conditions))
  const [assignment, setAssignment] = useState<AssignmentLogic>(
    rule?.agent_assignment_logic ?? { strategy: 'least_busy' },
  )
  const [active, setActive] = useState(rule?.is_active ?? true)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await onSave({
        name,
        ...(description.trim() ? { description } : {}),
        priority_level: priority,
        trigger_keywords: splitKeywords(keywords),
        trigger_conditions: fromDraft(conditions),
        agent_assignment_logic:
          assignment.strategy === 'specific'
            ? { strategy: 'specific', agent_ids: assignment.agent_ids ?? [] }
            : { strategy: assignment.strategy },
        is_active: active,
      })
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  const agentIds = assignment.agent_ids ?? []
  return (
    <form class="settings-card rule-editor" onSubmit={submit} noValidate aria-labelledby="rule-editor-title">
      <h2 id="rule-editor-title">{rule ? t('editTitle') : t('newTitle')}</h2>
      <div class="form-row">
        <Field label={t('name')} error={messageFor(error, 'name')}>
          {(p) => <input {...p} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field
          label={t('priorityLabel')}
          hint={t('priorityHint')}
          error={messageFor(error, 'priority_level')}
        >
          {(p) => (
            <select {...p} value={priority} onChange={(e) => setPriority(Number(e.currentTarget.value))}>
              {[5, 4, 3, 2, 1].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label={t('description')} error={messageFor(error, 'description')}>
        {(p) => (
          <input
            {...p}
            type="text"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label={t('keywords')} hint={t('keywordsHint')} error={messageFor(error, 'trigger_keywords')}>
        {(p) => (
          <textarea {...p} rows={3} value={keywords} onInput={(e) => setKeywords(e.currentTarget.value)} />
        )}
      </Field>
      <div class="form-field">
        <span class="form-label" id="rule-conditions-label">
          {t('conditions')}
        </span>
        <p class="form-hint">{t('conditionsHint')}</p>
        <div role="group" aria-labelledby="rule-conditions-label">
          <GroupEditor
            group={conditions}
            onChange={setConditions}
            path="trigger_conditions"
            depth={1}
            error={error}
          />
        </div>
      </div>
      <fieldset class="plain form-field">
        <legend class="form-label">{t('assignment')}</legend>
        {(['least_busy', 'round_robin', 'specific'] as const).map((s) => (
          <label key={s} class="check">
            <input
              type="radio"
              name="strategy"
              checked={assignment.strategy === s}
              onChange={() => setAssignment({ strategy: s, agent_ids: agentIds })}
            />
            {t(`strategy.${s}`)}
          </label>
        ))}
        {assignment.strategy === 'specific' && (
          <fieldset class="plain agent-picks">
            <legend class="sr-only">{t('agents')}</legend>
            {members?.length ? (
              members.map((m) => (
                <label key={m.user_id} class="check">
                  <input
                    type="checkbox"
                    checked={agentIds.includes(m.user_id)}
                    onChange={(e) =>
                      setAssignment({
                        strategy: 'specific',
                        agent_ids: e.currentTarget.checked
                          ? [...agentIds, m.user_id]
                          : agentIds.filter((id) => id !== m.user_id),
                      })
                    }
                  />
                  {m.name || m.display_name || m.email || m.user_id}
                </label>
              ))
            ) : (
              <p class="muted">{t('noAgents')}</p>
            )}
          </fieldset>
        )}
        {messageFor(error, 'agent_assignment_logic') && (
          <p class="field-error">{messageFor(error, 'agent_assignment_logic')}</p>
        )}
      </fieldset>
      <label class="check form-field">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        {t('isActive')}
      </label>
      <FormError message={unclaimed(error, FIELDS)} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : rule ? c('save') : t('create')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  )
}
