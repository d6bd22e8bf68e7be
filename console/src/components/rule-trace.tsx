import type { ConditionTrace, RuleTrace } from '../../../contract'

export interface RuleTraceViewProps {
  trace: RuleTrace[]
}

const MARK = { true: '✓', false: '✗', null: '?' } as const
const WORD = { true: 'passed', false: 'failed', null: 'unknown' } as const

function Verdict({ passed }: { passed: boolean | null }) {
  const key = String(passed) as keyof typeof MARK
  return (
    <span class={`verdict verdict-${WORD[key]}`} title={WORD[key]}>
      <span aria-hidden="true">{MARK[key]}</span>
      <span class="sr-only">{WORD[key]}:</span>
    </span>
  )
}

/** `human_requested` -> "human requested". */
const humanType = (type: string) => type.replace(/_/g, ' ')

function ConditionNode({ node }: { node: ConditionTrace }) {
  if ('type' in node) {
    return (
      <li class="cond">
        <Verdict passed={node.passed} />
        <span>
          <span class="cond-type">{humanType(node.type)}</span>
          <span class="cond-detail">{node.detail}</span>
        </span>
      </li>
    )
  }
  const groups = (['all', 'any'] as const).filter((op) => node[op]?.length)
  return (
    <li class="cond cond-group">
      <Verdict passed={node.passed} />
      <span>
        <span class="cond-type">
          {groups.map((op) => (op === 'all' ? 'All of' : 'Any of')).join(' and ')}
        </span>
        <span class="cond-detail">{node.detail}</span>
        {groups.map((op) => (
          <ul key={op} class="cond-list" aria-label={op === 'all' ? 'All of' : 'Any of'}>
            {node[op]!.map((child, i) => (
              <ConditionNode key={i} node={child} />
            ))}
          </ul>
        ))}
      </span>
    </li>
  )
}

/**
 * The escalation's trace as a readable tree: every rule that was tried, most urgent first, the one
 * that fired highlighted and open; under each, its matched keywords and its conditions with
 * ✓ (passed), ✗ (failed) or ? (unknown: the input lacked what the condition needs) and why.
 */
export function RuleTraceView({ trace }: RuleTraceViewProps) {
  if (trace.length === 0) return <p class="muted small">No rule was evaluated.</p>
  return (
    <ol class="trace">
      {trace.map((rule, i) => (
        <li key={rule.rule_id ?? i} class={`trace-rule${rule.fired ? ' trace-fired' : ''}`}>
          <details open={rule.fired}>
            <summary>
              <span class={`trace-state${rule.fired ? ' trace-state-fired' : ''}`}>
                {rule.fired ? 'Fired' : 'Not fired'}
              </span>
              <span class="trace-name">{rule.name}</span>
              {rule.priority ? <span class="muted small">P{rule.priority}</span> : null}
            </summary>
            <p class="trace-detail">{rule.detail}</p>
            {rule.keywords && (
              <p class="trace-keywords">
                <Verdict passed={rule.keywords.matched.length > 0} />
                <span>
                  <span class="cond-type">keywords</span>
                  <span class="cond-detail">
                    {rule.keywords.matched.length
                      ? 'matched ' + rule.keywords.matched.map((k) => `"${k}"`).join(', ')
                      : 'none matched'}
                  </span>
                </span>
              </p>
            )}
            {rule.conditions && (
              <ul class="cond-list cond-root" aria-label={`Conditions of ${rule.name}`}>
                <ConditionNode node={rule.conditions} />
              </ul>
            )}
          </details>
        </li>
      ))}
    </ol>
  )
}
