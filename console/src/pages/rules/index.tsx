/**
 * The Rules page: the rules, most urgent first, with an active switch; the editor (`#/rules/new`,
 * `#/rules/<id>`); and the simulator showing which rule fires for a message and why.
 */
import { useEffect, useState } from 'preact/hooks'
import type { EscalationRule } from '../../../../contract'
import { api, ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { navigate, pageHref } from '../../router'
import type { PageProps } from '../types'
import { countConditions } from './conditions'
import { RuleEditor } from './rule-editor'
import { Simulator } from './simulator'
import { strings } from './strings'

const byPriority = (a: EscalationRule, b: EscalationRule) => b.priority_level - a.priority_level

export default function RulesPage({ tenantId, members, path }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [rules, setRules] = useState<EscalationRule[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<EscalationRule | null>(null)

  useEffect(() => {
    let stale = false
    api
      .rules(tenantId)
      .then((res) => !stale && setRules(res.rules))
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [tenantId, c])

  const editing = path === 'new' ? 'new' : path ? (rules?.find((r) => r.id === path) ?? null) : null
  const upsert = (rule: EscalationRule) =>
    setRules((cur) => [...(cur ?? []).filter((r) => r.id !== rule.id), rule].sort(byPriority))

  const toggle = async (rule: EscalationRule, on: boolean) => {
    upsert({ ...rule, is_active: on })
    try {
      upsert((await api.updateRule(tenantId, rule.id, { is_active: on })).rule)
      toast(t(on ? 'activeOn' : 'activeOff', { name: rule.name }))
    } catch (err) {
      upsert(rule)
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    }
  }

  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.rules')}</h1>
        {!editing && (
          <a class="btn btn-primary" href={pageHref('rules', 'new')}>
            {t('newRule')}
          </a>
        )}
      </div>
      <p class="muted page-intro">{t('intro')}</p>
      {editing && (
        <RuleEditor
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? null : editing}
          members={members}
          onCancel={() => navigate('rules')}
          onSave={async (input) => {
            const res =
              editing === 'new'
                ? await api.createRule(tenantId, input)
                : await api.updateRule(tenantId, editing.id, input)
            upsert(res.rule)
            toast(t('saved'))
            navigate('rules')
          }}
        />
      )}
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {rules === null && !error && <p class="muted">{c('loading')}</p>}
      {rules?.length === 0 && !editing && (
        <EmptyState
          title={t('empty')}
          action={
            <a class="btn btn-primary" href={pageHref('rules', 'new')}>
              {t('newRule')}
            </a>
          }
        >
          {t('emptyBody')}
        </EmptyState>
      )}
      {rules && rules.length > 0 && (
        <ul class="item-list rule-list" aria-label={c('nav.rules')}>
          {rules.map((r) => (
            <li key={r.id} class={r.is_active ? '' : 'rule-paused'}>
              <span class="pill pill-accent">{t('priority', { n: r.priority_level })}</span>
              <div class="item-main">
                <a class="item-title" href={pageHref('rules', r.id)}>
                  {r.name}
                </a>
                <div class="item-meta">
                  {r.trigger_keywords.length > 0 &&
                    t('keywordsShort', { list: r.trigger_keywords.join(', ') })}
                  {r.trigger_keywords.length > 0 && countConditions(r.trigger_conditions) > 0 && ' · '}
                  {countConditions(r.trigger_conditions) > 0 &&
                    t('conditionsShort', { n: countConditions(r.trigger_conditions) })}
                </div>
              </div>
              <label class="switch">
                <input
                  type="checkbox"
                  role="switch"
                  checked={r.is_active}
                  onChange={(e) => void toggle(r, e.currentTarget.checked)}
                  aria-label={`${t('active')}: ${r.name}`}
                />
                <span aria-hidden="true">{t('active')}</span>
              </label>
              <div class="item-actions">
                <a
                  class="btn btn-small"
                  href={pageHref('rules', r.id)}
                  aria-label={`${c('edit')}: ${r.name}`}
                >
                  {c('edit')}
                </a>
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => setDeleting(r)}
                  aria-label={`${c('delete')}: ${r.name}`}
                >
                  {c('delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Simulator tenantId={tenantId} />
      {deleting && (
        <ConfirmDialog
          title={t('deleteTitle', { name: deleting.name })}
          confirmLabel={c('delete')}
          typeToConfirm={deleting.name}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteRule(tenantId, deleting.id)
            setRules((cur) => cur?.filter((r) => r.id !== deleting.id) ?? cur)
            toast(t('deleted'))
          }}
        >
          {t('deleteBody')}
        </ConfirmDialog>
      )}
    </main>
  )
}
