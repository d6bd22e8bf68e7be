import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { setToken } from '../../console/src/api'
import FeedbackPage from '../../console/src/pages/feedback'
import type { ModelVersion } from '../../contract'
import { fakeFetch, pageProps as props } from './fake-api'

const version = (over: Partial<ModelVersion>): ModelVersion => ({
  id: 'mv',
  bot_id: null,
  model_name: 'gpt-4o-mini',
  base_model: 'gpt-4o-mini',
  version: 'v1',
  training_dataset_id: null,
  status: 'training',
  metrics: {},
  is_active: false,
  created_at: '2026-11-01T10:00:00.000Z',
  updated_at: '2026-11-01T10:00:00.000Z',
  ...over,
})

const versions = [
  version({
    id: 'mv1',
    bot_id: 'b1',
    model_name: 'ft:gpt-4o-mini:shop:a',
    version: 'v1',
    status: 'ready',
    is_active: true,
    metrics: { pass_rate: 0.75, pass_rate_at: '2026-11-20T10:00:00.000Z', eval_loss: 0.31 },
  }),
  version({ id: 'mv2', bot_id: 'b1', model_name: 'ft:gpt-4o-mini:shop:b', version: 'v2', status: 'ready' }),
  version({ id: 'mv3', model_name: 'ft:gpt-4o-mini:shop:c', version: 'v3', status: 'training' }),
]

/** The Feedback page's other calls answer with nothing; the model calls go to `models`. */
function api(
  models: (req: {
    method: string
    path: string
    body: unknown
  }) => { status?: number; body?: unknown } | undefined,
) {
  return fakeFetch((req) => {
    if (req.path.startsWith('/v1/tenants/t1/feedback')) return { body: { items: [], next_cursor: null } }
    if (req.path === '/v1/tenants/t1/bots') return { body: { bots: [{ id: 'b1', name: 'Shop bot' }] } }
    if (req.method === 'GET' && req.path === '/v1/bots/b1/answer-tests')
      return { body: { tests: [], runs: [] } }
    if (req.method === 'GET' && req.path === '/v1/tenants/t1/model-versions')
      return { body: { model_versions: versions } }
    return models(req)
  })
}

const section = () => screen.getByRole('region', { name: 'Models' })

describe('console feedback page, models section', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
    setToken(null)
  })

  it('lists the versions with base model, bot, status, active and the last pass rate', async () => {
    api(() => undefined)
    render(<FeedbackPage {...props()} />)
    const list = await within(section()).findByRole('list', { name: 'Models' })
    const rows = within(list).getAllByRole('listitem')
    expect(rows).toHaveLength(3)
    expect(rows[0].textContent).toContain('ft:gpt-4o-mini:shop:a · v1')
    expect(rows[0].textContent).toContain('Base model: gpt-4o-mini')
    expect(rows[0].textContent).toContain('Bot: Shop bot')
    expect(rows[0].textContent).toContain('Active')
    expect(rows[0].textContent).toContain('Last pass rate 75%')
    expect(rows[0].textContent).toContain('eval_loss: 0.31')
    expect(rows[2].textContent).toContain('Bot: No bot')
    expect(rows[2].textContent).toContain('Training')
    // Only a ready version with a bot can be activated; the active one can be deactivated.
    expect(
      within(rows[0]).getByRole('button', { name: 'Deactivate: ft:gpt-4o-mini:shop:a · v1' }),
    ).toBeTruthy()
    expect(
      (
        within(rows[2]).getByRole('button', {
          name: 'Activate: ft:gpt-4o-mini:shop:c · v3',
        }) as HTMLButtonElement
      ).disabled,
    ).toBe(true)
  })

  it('an agent reads the list without any write control', async () => {
    api(() => undefined)
    render(<FeedbackPage {...props({ role: 'agent' })} />)
    const list = await within(section()).findByRole('list', { name: 'Models' })
    expect(within(list).getAllByRole('listitem')).toHaveLength(3)
    expect(within(section()).queryByRole('button')).toBeNull()
    expect(within(section()).queryByRole('combobox')).toBeNull()
  })

  it('shows the API validation error under the field it names, and registers once fixed', async () => {
    const calls = api((req) => {
      if (req.method !== 'POST' || req.path !== '/v1/tenants/t1/model-versions') return undefined
      const body = req.body as { model_name: string }
      if (body.model_name.includes(' '))
        return {
          status: 400,
          body: {
            error: {
              code: 'validation_failed',
              message: 'model_name: a model name like gpt-4o-mini (letters, digits, . _ : / @ -)',
            },
          },
        }
      return { status: 201, body: { model_version: version({ id: 'mv9', ...body }) } }
    })
    render(<FeedbackPage {...props()} />)
    const form = await within(section()).findByRole('form', { name: 'Register a version' })
    const name = within(form).getByRole('textbox', { name: 'Model name' })
    fireEvent.input(name, { target: { value: 'my model' } })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Base model' }), {
      target: { value: 'gpt-4o-mini' },
    })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Version' }), { target: { value: 'v4' } })
    await within(form).findByRole('option', { name: 'Shop bot' })
    fireEvent.change(within(form).getByRole('combobox', { name: 'Bot' }), { target: { value: 'b1' } })
    fireEvent.submit(form)
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'))
    const errorId = name.getAttribute('aria-describedby')!.split(' ')[0]
    expect(document.getElementById(errorId)?.textContent).toBe(
      'a model name like gpt-4o-mini (letters, digits, . _ : / @ -)',
    )
    // The other fields show nothing.
    expect(within(form).getByRole('textbox', { name: 'Version' }).getAttribute('aria-invalid')).toBeNull()

    fireEvent.input(name, { target: { value: 'ft:gpt-4o-mini:shop:d' } })
    fireEvent.submit(form)
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBeNull())
    const post = calls.filter((c) => c.method === 'POST' && c.path === '/v1/tenants/t1/model-versions')
    expect(post.at(-1)!.body).toEqual({
      model_name: 'ft:gpt-4o-mini:shop:d',
      base_model: 'gpt-4o-mini',
      version: 'v4',
      bot_id: 'b1',
      status: 'training',
    })
    await waitFor(() => expect((name as HTMLInputElement).value).toBe(''))
  })

  it('activating a version sends the PATCH; a status change too', async () => {
    const calls = api((req) =>
      req.method === 'PATCH'
        ? { body: { model_version: version({ id: req.path.split('/').pop() }) } }
        : undefined,
    )
    render(<FeedbackPage {...props()} />)
    const activate = await within(section()).findByRole('button', {
      name: 'Activate: ft:gpt-4o-mini:shop:b · v2',
    })
    fireEvent.click(activate)
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
        path: '/v1/tenants/t1/model-versions/mv2',
        body: { is_active: true },
      }),
    )
    fireEvent.change(
      within(section()).getByRole('combobox', { name: 'Status of ft:gpt-4o-mini:shop:c · v3' }),
      {
        target: { value: 'ready' },
      },
    )
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'PATCH').at(-1)).toMatchObject({
        path: '/v1/tenants/t1/model-versions/mv3',
        body: { status: 'ready' },
      }),
    )
    // The list is read again after each change.
    await waitFor(() =>
      expect(
        calls.filter((c) => c.method === 'GET' && c.path === '/v1/tenants/t1/model-versions').length,
      ).toBe(3),
    )
  })

  it('compares two versions on the answer tests and shows both verdicts per test', async () => {
    const calls = api((req) => {
      if (req.method === 'POST' && req.path.startsWith('/v1/bots/b1/answer-tests/run'))
        return {
          body: {
            run_id: 'r1',
            passed: 1,
            failed: 1,
            changes: {},
            results: [
              {
                test_id: 'q1',
                question: 'How long does delivery take?',
                passed: true,
                answer: '2 to 4 business days.',
                reasons: [],
                compare: {
                  passed: false,
                  answer: 'I do not know.',
                  reasons: ['The answer lacks "business days".'],
                },
              },
              {
                test_id: 'q2',
                question: 'Can I return a sale item?',
                passed: false,
                answer: 'No.',
                reasons: ['The answer lacks "30 days".'],
                compare: { passed: true, answer: 'Yes, within 30 days.', reasons: [] },
              },
            ],
          },
        }
      if (req.method === 'PATCH') return { body: { model_version: version({}) } }
      return undefined
    })
    render(<FeedbackPage {...props()} />)
    const form = await within(section()).findByRole('form', { name: 'Compare on the answer tests' })
    fireEvent.change(within(form).getByRole('combobox', { name: 'First version' }), {
      target: { value: 'mv1' },
    })
    fireEvent.change(within(form).getByRole('combobox', { name: 'Second version' }), {
      target: { value: 'mv2' },
    })
    fireEvent.submit(form)
    const table = await within(form).findByRole('table')
    expect(
      calls.some(
        (c) =>
          c.method === 'POST' && c.path === '/v1/bots/b1/answer-tests/run?model_version_id=mv1&compare=mv2',
      ),
    ).toBe(true)
    const head = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent)
    expect(head).toEqual(['Question', 'ft:gpt-4o-mini:shop:a · v1', 'ft:gpt-4o-mini:shop:b · v2'])
    const verdicts = (q: string) =>
      within(within(table).getByRole('row', { name: new RegExp(q) }))
        .getAllByRole('cell')
        .map((c) => c.textContent)
    expect(verdicts('How long does delivery take')).toEqual(['passed', 'failed'])
    expect(verdicts('Can I return a sale item')).toEqual(['failed', 'passed'])
    expect(form.textContent).toContain(
      'ft:gpt-4o-mini:shop:a · v1: 1 of 2 passed · ft:gpt-4o-mini:shop:b · v2: 1 of 2 passed',
    )
    // Each version keeps its pass rate, its other metrics untouched.
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(2))
    const patches = calls.filter((c) => c.method === 'PATCH')
    expect(patches.find((c) => c.path.endsWith('/mv1'))!.body).toMatchObject({
      metrics: { pass_rate: 0.5, eval_loss: 0.31 },
    })
    expect(patches.find((c) => c.path.endsWith('/mv2'))!.body).toMatchObject({ metrics: { pass_rate: 0.5 } })
  })

  it('refuses to compare a version with itself without calling the API', async () => {
    const calls = api(() => undefined)
    render(<FeedbackPage {...props()} />)
    const form = await within(section()).findByRole('form', { name: 'Compare on the answer tests' })
    fireEvent.change(within(form).getByRole('combobox', { name: 'First version' }), {
      target: { value: 'mv1' },
    })
    fireEvent.change(within(form).getByRole('combobox', { name: 'Second version' }), {
      target: { value: 'mv1' },
    })
    fireEvent.submit(form)
    expect((await within(form).findByRole('alert')).textContent).toBe('Choose two different versions.')
    expect(calls.some((c) => c.path.includes('/answer-tests/run'))).toBe(false)
  })

  it('downloads the fine-tuning file with the bearer token', async () => {
    setToken('tok-123')
    const calls = api((req) =>
      req.path === '/v1/tenants/t1/improvements/export.jsonl' ? { body: { messages: [] } } : undefined,
    )
    const created = vi.fn(() => 'blob:fine-tuning')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: created, revokeObjectURL: () => {} }))
    const clicked: HTMLAnchorElement[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this)
    })
    render(<FeedbackPage {...props()} />)
    fireEvent.click(
      await within(section()).findByRole('button', { name: 'Download fine-tuning file (JSONL)' }),
    )
    await waitFor(() => expect(clicked).toHaveLength(1))
    const call = calls.find((c) => c.path === '/v1/tenants/t1/improvements/export.jsonl')!
    expect(call.headers.authorization).toBe('Bearer tok-123')
    expect(clicked[0].download).toMatch(/^fine-tuning-\d{4}-\d{2}-\d{2}\.jsonl$/)
    expect(clicked[0].getAttribute('href')).toBe('blob:fine-tuning')
  })
})
