import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { Faqs } from '../../console/src/pages/knowledge/faqs'
import type { SearchResult } from '../../contract'
import { decide, Playground } from '../../console/src/pages/knowledge/playground'
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

  it('playground: ranked passages with scores, and the decision from the rules and the confidence', async () => {
    const passage = (rank: number, confidence: number): SearchResult['passages'][number] => ({
      rank,
      chunk_id: 'c' + rank,
      source: {
        id: 's1',
        kind: 'document',
        title: 'Returns policy',
        url: null,
        page: null,
        heading_path: ['Refunds'],
      },
      text: 'Refunds arrive within 5 business days.',
      language: 'en',
      scores: { text_rank: 0.5, coverage: 0.6, similarity: 0.7, fused: 0.8 },
      confidence,
    })
    const search = (confidence: number): SearchResult => ({
      query: 'q',
      embedding_model: 'local',
      vector_store: 'pgvector',
      took_ms: 3,
      passages: [passage(1, confidence), passage(2, confidence / 2)],
    })
    expect(decide(search(0.9), null)).toEqual({ kind: 'answer', best: 0.9 })
    expect(decide(search(0.1), null)).toEqual({ kind: 'decline', best: 0.1 })
    expect(
      decide(search(0.9), { fired: null, human_request: 'talk to a human', escalates: true, trace: [] }).kind,
    ).toBe('escalate')

    fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/knowledge/search') return { body: search(0.12) }
      if (path === '/v1/tenants/t1/escalation-rules/test')
        return { body: { fired: null, human_request: null, escalates: false, trace: [] } }
      return undefined
    })
    render(<Playground tenantId="t1" />)
    fireEvent.input(screen.getByRole('textbox', { name: 'Question' }), { target: { value: 'Refund time?' } })
    fireEvent.click(screen.getByRole('button', { name: 'Search' }))
    await screen.findByText('Say it does not know, and offer a person')
    expect(screen.getByText(/confidence 0\.12, below the threshold 0\.30/)).toBeTruthy()
    const items = within(screen.getByRole('list', { name: 'Passages, best first' })).getAllByRole('listitem')
    expect(items).toHaveLength(2)
    expect(items[0].textContent).toContain('1. Returns policy · Refunds')
    expect(items[0].textContent).toContain('fused 0.80 · similarity 0.70 · words 0.50 · coverage 0.60')
    expect(items[0].textContent).toContain('Confidence 0.12')
  })
})
