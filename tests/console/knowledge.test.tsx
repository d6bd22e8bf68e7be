import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { Faqs } from '../../console/src/pages/knowledge/faqs'
import type { PlaygroundResult } from '../../contract'
import { decide, parseThreshold, Playground } from '../../console/src/pages/knowledge/playground'
import { Sources } from '../../console/src/pages/knowledge/sources'
import { fakeFetch } from './fake-api'

const faq = {
  id: 'f1',
  question: 'Quels sont les délais de livraison ?',
  answer: 'Livraison en 2 à 4 jours ouvrés.',
  language: 'fr',
  url: null,
  bot_id: null,
  created_at: '2026-01-10T10:00:00.000Z',
  updated_at: '2026-01-10T10:00:00.000Z',
}

function source(over: Record<string, unknown> = {}) {
  return {
    id: 's1',
    tenant_id: 't1',
    bot_id: null,
    kind: 'document',
    title: 'Returns policy',
    url: null,
    language: 'en',
    mime_type: 'text/markdown',
    byte_size: 2048,
    status: 'ready',
    error: null,
    crawl_frequency: null,
    max_pages: null,
    chunk_count: 4,
    last_processed_at: '2026-01-10T10:00:00.000Z',
    next_crawl_at: null,
    created_at: '2026-01-10T10:00:00.000Z',
    updated_at: '2026-01-10T10:00:00.000Z',
    filename: 'returns.md',
    pages: null,
    skipped: [],
    ...over,
  }
}

/** A stand-in for XMLHttpRequest: the test drives progress and the answer. */
class FakeXhr {
  static all: FakeXhr[] = []
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } =
    {
      onprogress: null,
    }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  status = 0
  responseText = ''
  headers: Record<string, string> = {}
  url = ''
  body: FormData | null = null
  constructor() {
    FakeXhr.all.push(this)
  }
  open(_method: string, url: string) {
    this.url = url
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  send(body: FormData) {
    this.body = body
  }
  abort() {}
  respond(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

describe('console knowledge page', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
    FakeXhr.all = []
  })

  it('says what to do when there is no source, and uploads several files with a progress bar each', async () => {
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/knowledge/sources' ? { body: { sources: [] } } : undefined,
    )
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    render(<Sources tenantId="t1" />)
    await screen.findByText('No documents or websites yet')
    expect(screen.getByText(/the assistant answers only from what you give it/)).toBeTruthy()

    const input = screen.getByLabelText('Choose files') as HTMLInputElement
    const files = [new File(['# A'], 'a.md', { type: 'text/markdown' }), new File(['b'], 'b.pdf')]
    fireEvent.change(input, { target: { files } })
    expect(FakeXhr.all).toHaveLength(2)
    expect(FakeXhr.all[0].url).toBe('/v1/tenants/t1/knowledge/documents')
    expect((FakeXhr.all[0].body!.get('file') as File).name).toBe('a.md')
    FakeXhr.all[0].upload.onprogress!({ lengthComputable: true, loaded: 50, total: 100 })
    await screen.findByText('Uploading a.md: 50%')
    const bars = screen.getAllByRole('progressbar')
    expect(bars).toHaveLength(2)
    expect((bars[0] as HTMLProgressElement).value).toBe(0.5)

    FakeXhr.all[0].respond(202, {
      source: source({ id: 's9', title: 'A', status: 'pending', chunk_count: null }),
    })
    FakeXhr.all[1].respond(415, {
      error: { code: 'unsupported_file', message: 'This file type is not supported.' },
    })
    const list = await screen.findByRole('list', { name: 'Documents and websites' })
    expect(within(list).getByText('A')).toBeTruthy()
    expect(within(list).getByText('Waiting')).toBeTruthy()
    expect((await screen.findByRole('alert')).textContent).toBe('b.pdf: This file type is not supported.')
  })

  it('lists sources with status, size, passages and the readable error; delete asks first', async () => {
    const calls = fakeFetch(({ path, method }) => {
      if (path === '/v1/tenants/t1/knowledge/sources')
        return {
          body: {
            sources: [
              source(),
              source({
                id: 's2',
                kind: 'website',
                title: 'shop.example',
                url: 'https://shop.example/',
                status: 'failed',
                error: 'The site could not be reached (DNS).',
                byte_size: null,
              }),
              source({ id: 'f1', kind: 'faq', title: 'A FAQ' }),
            ],
          },
        }
      if (path === '/v1/tenants/t1/knowledge/sources/s2' && method === 'DELETE') return { status: 204 }
      return undefined
    })
    render(<Sources tenantId="t1" />)
    const list = await screen.findByRole('list', { name: 'Documents and websites' })
    const items = within(list).getAllByRole('listitem')
    expect(items).toHaveLength(2) // FAQs live on their own tab
    expect(items[0].textContent).toContain('Ready')
    expect(items[0].textContent).toContain('2 KB')
    expect(items[0].textContent).toContain('Passages: 4')
    expect(items[1].textContent).toContain('Failed')
    expect(items[1].textContent).toContain('The site could not be reached (DNS).')

    fireEvent.click(within(items[1]).getByRole('button', { name: 'Delete: shop.example' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete shop.example?' })
    const confirm = within(dialog).getByRole('button', { name: 'Delete' }) as HTMLButtonElement
    expect(confirm.disabled).toBe(true) // a website: type its name first
    fireEvent.input(within(dialog).getByRole('textbox'), { target: { value: 'shop.example' } })
    expect(confirm.disabled).toBe(false)
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)
    fireEvent.click(confirm)
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
      '/v1/tenants/t1/knowledge/sources/s2',
    ])
    expect(within(list).getAllByRole('listitem')).toHaveLength(1)
  })

  it('FAQs: empty state, the API message under the field, search, and delete only after confirming', async () => {
    let faqs: (typeof faq)[] = []
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/knowledge/faqs' && method === 'GET') return { body: { faqs } }
      if (path === '/v1/tenants/t1/knowledge/faqs' && method === 'POST') {
        const b = body as { url: string | null }
        if (b.url && !/^https?:/.test(b.url))
          return { status: 400, body: { error: { code: 'validation_failed', message: 'url: Invalid URL' } } }
        faqs = [{ ...faq, ...(body as object), id: 'f2' }]
        return { status: 201, body: { faq: faqs[0] } }
      }
      if (path === '/v1/tenants/t1/knowledge/faqs/f2' && method === 'DELETE') return { status: 204 }
      return undefined
    })
    render(<Faqs tenantId="t1" />)
    await screen.findByText('No FAQ yet')
    fireEvent.click(screen.getAllByRole('button', { name: 'New FAQ' })[0])
    const form = screen.getByRole('form', { name: 'New FAQ' })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Question' }), {
      target: { value: 'Délais ?' },
    })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Answer' }), {
      target: { value: '2 à 4 jours.' },
    })
    const url = within(form).getByRole('textbox', { name: 'Link (optional)' })
    fireEvent.input(url, { target: { value: 'ftp://x' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Add FAQ' }))
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'))
    expect(document.getElementById(url.getAttribute('aria-describedby')!.split(' ')[0])!.textContent).toBe(
      'Invalid URL',
    )

    fireEvent.input(url, { target: { value: '' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Add FAQ' }))
    const list = await screen.findByRole('list', { name: 'Frequently asked questions' })
    expect(list.textContent).toContain('Délais ?')

    fireEvent.input(screen.getByRole('searchbox', { name: 'Search the FAQs' }), {
      target: { value: 'retour' },
    })
    expect(screen.getByText('No FAQ matches “retour”.')).toBeTruthy()
    fireEvent.input(screen.getByRole('searchbox', { name: 'Search the FAQs' }), {
      target: { value: 'delais' },
    })
    const row = within(screen.getByRole('list', { name: 'Frequently asked questions' })).getByRole('listitem')

    fireEvent.click(within(row).getByRole('button', { name: 'Delete: Délais ?' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Delete this FAQ?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false)
    fireEvent.click(within(row).getByRole('button', { name: 'Delete: Délais ?' }))
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }))
    await screen.findByText('No FAQ yet')
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1)
  })

  it('playground: the bot answers or declines against its threshold, a tried threshold changes it, and saving runs the answer tests', async () => {
    const play = (threshold: number): PlaygroundResult => {
      const declined = 0.4 < threshold
      return {
        answer: declined ? "I don't know that <b>yet</b>." : 'Refunds arrive within 5 business days.',
        declined,
        confidence: 0.4,
        threshold,
        language: 'en',
        model: 'extractive',
        sources: declined
          ? []
          : [{ id: 's1', chunk_id: 'c1', title: 'Returns policy', url: null, snippet: '' }],
        passages: [
          {
            chunk_id: 'c1',
            source: { id: 's1', kind: 'document', title: 'Returns policy', url: null },
            language: 'en',
            snippet: 'Refunds arrive within 5 business days.',
            score: 0.4,
            coverage: 0.6,
            retrieval: 0.7,
            missing: 1,
            cited: !declined,
          },
        ],
      }
    }
    expect(decide(play(0.3), null)).toEqual({ kind: 'answer', best: 0.4, threshold: 0.3 })
    expect(decide(play(0.525), null)).toEqual({ kind: 'decline', best: 0.4, threshold: 0.525 })
    expect(
      decide(play(0.3), { fired: null, human_request: 'talk to a human', escalates: true, trace: [] }).kind,
    ).toBe('escalate')
    expect(parseThreshold('1.5')).toBeNull()
    expect(parseThreshold('0,35')).toBe(0.35)

    let saved: number | null = null
    const calls = fakeFetch(({ method, path, body }) => {
      if (path === '/v1/tenants/t1/bots')
        return {
          body: {
            bots: [
              { id: 'b1', name: 'Shop bot', status: 'active', min_confidence: null },
              { id: 'b2', name: 'Other', status: 'active', min_confidence: null },
            ],
          },
        }
      if (path === '/v1/bots/b1/playground') {
        const b = body as { min_confidence?: number }
        return { body: play(b.min_confidence ?? saved ?? 0.525) }
      }
      if (path === '/v1/bots/b1' && method === 'PATCH') {
        saved = (body as { min_confidence: number | null }).min_confidence
        return { body: { bot: { id: 'b1', name: 'Shop bot', status: 'active', min_confidence: saved } } }
      }
      if (path === '/v1/bots/b1/answer-tests/run')
        return {
          body: {
            run_id: 'r1',
            results: [
              { test_id: 'x1', question: 'Refund time?', passed: true, answer: '', reasons: [] },
              { test_id: 'x2', question: 'Do you ship to Mars?', passed: false, answer: '', reasons: [] },
            ],
            passed: 1,
            failed: 1,
            changes: { newly_failing: ['x2'], newly_passing: ['x1'] },
          },
        }
      if (path === '/v1/tenants/t1/escalation-rules/test')
        return { body: { fired: null, human_request: null, escalates: false, trace: [] } }
      return undefined
    })
    render(<Playground tenantId="t1" />)
    await screen.findByRole('option', { name: 'Shop bot' })
    fireEvent.input(screen.getByRole('textbox', { name: 'Question' }), { target: { value: 'Refund time?' } })
    fireEvent.click(screen.getByRole('button', { name: 'Ask' }))
    await screen.findByText('Say it does not know, and offer a person')
    expect(
      screen.getByText('Confidence 0.400, below the threshold 0.525: no answer is invented.'),
    ).toBeTruthy()
    // The answer is text: markup in it is shown, not rendered.
    expect(screen.getByTestId('play-answer').textContent).toBe("I don't know that <b>yet</b>.")
    expect(screen.getByTestId('play-answer').querySelector('b')).toBeNull()
    expect(screen.queryByText(/Written by/)).toBeNull()
    const items = within(screen.getByRole('list', { name: 'Passages weighed, best first' })).getAllByRole(
      'listitem',
    )
    expect(items[0].textContent).toContain('Score 0.400')
    expect(items[0].textContent).toContain('coverage 0.60 · retrieval 0.70 · specific words missing: 1')
    expect(items[0].textContent).not.toContain('Cited')

    // The control starts at the bot's threshold; trying a lower one answers, without saving.
    const value = screen.getByRole('spinbutton', { name: 'Value (0 to 1)' }) as HTMLInputElement
    expect(value.value).toBe('0.525')
    expect((screen.getByRole('slider', { name: 'Threshold' }) as HTMLInputElement).value).toBe('0.525')
    fireEvent.input(value, { target: { value: '2' } })
    expect(screen.getByText('Enter a number from 0 to 1.')).toBeTruthy()
    expect((screen.getByRole('button', { name: 'Try' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.input(value, { target: { value: '0.35' } })
    fireEvent.click(screen.getByRole('button', { name: 'Try' }))
    await screen.findByText('Answer from the knowledge base')
    expect(screen.getByTestId('play-answer').textContent).toBe('Refunds arrive within 5 business days.')
    expect(screen.getByText('Written by extractive, in en.')).toBeTruthy()
    expect(screen.getByRole('list', { name: 'Sources cited' }).textContent).toBe('Returns policy')
    expect(screen.getByText(/At a tried threshold, 0\.350/)).toBeTruthy()
    expect(calls.some((c) => c.method === 'PATCH')).toBe(false)

    // Saving asks first (old -> new), then the bot answers at its new threshold and its tests run.
    fireEvent.click(screen.getByRole('button', { name: 'Save as the bot’s threshold' }))
    const dialog = screen.getByRole('alertdialog')
    expect(dialog.textContent).toContain('Change the answer threshold of Shop bot?')
    expect(dialog.textContent).toContain('0.525 → 0.350')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save as the bot’s threshold' }))
    await screen.findByText('Answer tests: 1 passed, 1 failed.')
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ min_confidence: 0.35 })
    const last = calls.filter((c) => c.path === '/v1/bots/b1/playground').at(-1)
    expect(last?.body).toEqual({ question: 'Refund time?' })
    expect(screen.getByText('Threshold saved: 0.525 → 0.350.')).toBeTruthy()
    expect(screen.getByText(/At the bot’s threshold, 0\.350/)).toBeTruthy()
    expect(screen.getByText('Now failing').nextElementSibling?.textContent).toBe('Do you ship to Mars?')
    expect(screen.getByText('Now passing').nextElementSibling?.textContent).toBe('Refund time?')
    expect(screen.getByRole('link', { name: /See the answer tests/ }).getAttribute('href')).toBe('#/feedback')

    // Reset sends null.
    fireEvent.click(screen.getByRole('button', { name: 'Reset to calibrated default' }))
    expect(screen.getByRole('alertdialog').textContent).toContain('0.350 → the calibrated default')
    fireEvent.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Reset to calibrated default' }),
    )
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ min_confidence: null }),
    )
    await screen.findByText('Threshold saved: 0.350 → 0.525.')
  })
})
