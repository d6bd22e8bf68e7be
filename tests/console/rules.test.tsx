import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import RulesPage from '../../console/src/pages/rules'
import { fromDraft, toDraft } from '../../console/src/pages/rules/conditions'
import { escalation, fakeFetch, pageProps as props } from './fake-api'

const rule = {
  id: 'r1',
  name: 'Remboursement',
  trigger_keywords: ['remboursement', 'refund'],
  trigger_conditions: {
    any: [{ type: 'human_requested' }, { type: 'visitor_message_count', op: 'gte', value: 3 }],
  },
  priority_level: 4,
  agent_assignment_logic: { strategy: 'least_busy' },
  is_active: true,
}

describe('console rules page', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
    history.replaceState(null, '', '/')
  })

  it('round-trips every condition type through the editor tree', () => {
    const group = {
      all: [
        { type: 'human_requested' },
        { type: 'visitor_message_count', op: 'gte', value: 3 },
        { type: 'low_confidence_streak', min: 2, threshold: 0.35 },
        { type: 'sentiment', in: ['negative'] },
        { type: 'intent', in: ['refund', 'complaint'] },
        { type: 'outside_business_hours' },
        { type: 'page_url', pattern: '/checkout*' },
        {
          any: [
            { type: 'attribute', key: 'plan', op: 'in', value: ['vip', 'pro', 3] },
            { type: 'attribute', key: 'vip', op: 'exists' },
            { type: 'message_regex', pattern: 'order #?\\d+', flags: 'i' },
          ],
        },
      ],
    } as const
    expect(fromDraft(toDraft(group as never))).toEqual(group)
    expect(fromDraft(toDraft({}))).toEqual({})
  })

  it('says what to do when there is no rule', async () => {
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/escalation-rules' ? { body: { rules: [] } } : undefined,
    )
    render(<RulesPage {...props()} />)
    await screen.findByText('No escalation rule yet')
    expect(screen.getByText(/Visitors who ask for a person are always handed over/)).toBeTruthy()
  })

  it('shows the API message under the condition field it names, then creates the rule', async () => {
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/escalation-rules' && method === 'GET') return { body: { rules: [] } }
      if (path === '/v1/tenants/t1/escalation-rules' && method === 'POST') {
        const b = body as { trigger_conditions: { all: { pattern?: string }[] } }
        if (b.trigger_conditions.all?.[0]?.pattern === '(\\w+) \\1')
          return {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message:
                  'trigger_conditions.all[0].pattern: back-references and lookarounds are not supported',
              },
            },
          }
        return { status: 201, body: { rule: { ...(body as object), id: 'r9' } } }
      }
      return undefined
    })
    render(<RulesPage {...props({ path: 'new' })} />)
    const form = await screen.findByRole('form', { name: 'New rule' })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Name' }), { target: { value: 'Pattern' } })
    fireEvent.click(within(form).getByRole('button', { name: '+ Add condition' }))
    fireEvent.change(within(form).getByRole('combobox', { name: 'Condition' }), {
      target: { value: 'message_regex' },
    })
    const pattern = within(form).getByRole('textbox', { name: 'Pattern' })
    fireEvent.input(pattern, { target: { value: '(\\w+) \\1' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Create rule' }))
    await waitFor(() => expect(pattern.getAttribute('aria-invalid')).toBe('true'))
    const ids = pattern.getAttribute('aria-describedby')!.split(' ')
    expect(document.getElementById(ids[0])!.textContent).toBe(
      'back-references and lookarounds are not supported',
    )
    expect(within(form).queryByRole('alert')).toBeNull()

    fireEvent.input(pattern, { target: { value: 'order #?\\d+' } })
    fireEvent.change(within(form).getByRole('combobox', { name: 'Flags' }), { target: { value: 'i' } })
    fireEvent.click(within(form).getByRole('radio', { name: 'These agents' }))
    fireEvent.click(within(form).getByRole('checkbox', { name: 'Bruno' }))
    fireEvent.click(within(form).getByRole('button', { name: 'Create rule' }))
    await waitFor(() => expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2))
    expect(calls.filter((c) => c.method === 'POST')[1].body).toEqual({
      name: 'Pattern',
      priority_level: 3,
      trigger_keywords: [],
      trigger_conditions: { all: [{ type: 'message_regex', pattern: 'order #?\\d+', flags: 'i' }] },
      agent_assignment_logic: { strategy: 'specific', agent_ids: ['u2'] },
      is_active: true,
    })
  })

  it('lists rules with priority and a switch; deleting asks for the rule name', async () => {
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/escalation-rules' && method === 'GET') return { body: { rules: [rule] } }
      if (path === '/v1/tenants/t1/escalation-rules/r1' && method === 'PATCH')
        return { body: { rule: { ...rule, ...(body as object) } } }
      if (path === '/v1/tenants/t1/escalation-rules/r1' && method === 'DELETE') return { status: 204 }
      return undefined
    })
    render(<RulesPage {...props()} />)
    const list = await screen.findByRole('list', { name: 'Rules' })
    const row = within(list).getByRole('listitem')
    expect(row.textContent).toContain('Priority 4')
    expect(row.textContent).toContain('Keywords: remboursement, refund · 2 condition(s)')
    const toggle = within(row).getByRole('switch', { name: 'Active: Remboursement' }) as HTMLInputElement
    fireEvent.click(toggle)
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true))
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ is_active: false })

    fireEvent.click(within(row).getByRole('button', { name: 'Delete: Remboursement' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete the rule Remboursement?' })
    const confirm = within(dialog).getByRole('button', { name: 'Delete' }) as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    fireEvent.input(within(dialog).getByRole('textbox', { name: 'Type Remboursement to confirm' }), {
      target: { value: 'Rembourse' },
    })
    expect(confirm.disabled).toBe(true)
    fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'Remboursement' } })
    fireEvent.click(confirm)
    await screen.findByText('No escalation rule yet')
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1)
  })

  it('the simulator sends the context and shows which rule fires, condition by condition', async () => {
    const calls = fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/escalation-rules') return { body: { rules: [rule] } }
      if (path === '/v1/tenants/t1/escalation-rules/test')
        return {
          body: {
            fired: {
              rule_id: 'r2',
              name: 'Remboursement',
              priority: 4,
              assignment: { strategy: 'least_busy' },
              reason: escalation.reason,
            },
            human_request: 'parler a un humain',
            escalates: true,
            trace: escalation.trace,
          },
        }
      return undefined
    })
    render(<RulesPage {...props()} />)
    const sim = await screen.findByRole('region', { name: 'Simulator' })
    fireEvent.input(within(sim).getByRole('textbox', { name: 'Visitor message' }), {
      target: { value: 'je veux parler à un humain pour un remboursement' },
    })
    fireEvent.input(within(sim).getByRole('spinbutton', { name: 'Visitor messages so far' }), {
      target: { value: '2' },
    })
    fireEvent.input(within(sim).getByRole('textbox', { name: 'Attributes (one key=value per line)' }), {
      target: { value: 'plan=free\nvip=false' },
    })
    fireEvent.change(within(sim).getByRole('combobox', { name: 'Within opening hours' }), {
      target: { value: 'no' },
    })
    fireEvent.click(within(sim).getByRole('button', { name: 'Test' }))
    await within(sim).findByText('Escalates: “Remboursement” fires.')
    expect(calls.find((c) => c.path.endsWith('/test'))!.body).toEqual({
      message: 'je veux parler à un humain pour un remboursement',
      context: {
        visitor_message_count: 2,
        business_hours_open: false,
        attributes: { plan: 'free', vip: false },
      },
    })
    const conditions = within(sim).getByRole('list', { name: 'Conditions of Client VIP mécontent' })
    expect(conditions.textContent).toContain('plan "free" != "vip"')
    expect(conditions.textContent).toContain('unknown')
  })
})
