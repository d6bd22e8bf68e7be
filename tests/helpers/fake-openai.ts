import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local server speaking the OpenAI chat-completions (streamed and not) and embeddings protocols,
 * for tests only: the provider is a paid service on the internet we cannot reach. Its "model" is
 * simple and predictable: it answers from passage [1] of the system prompt and cites it. Each chat
 * request takes the next scripted behaviour (default 'ok'), so tests can stage faults.
 */
export type Behaviour =
  | 'ok'
  | 'error500'
  | 'quota'
  | 'rate429'
  | 'slow-first-token'
  | 'hang'
  | 'drop-mid-stream'
  | { reply: string }

export interface ChatRecord {
  body: any
  stream: boolean
  /** The client went away before the response ended. */
  aborted: boolean
}

export interface FakeOpenAI {
  url: string
  chats: ChatRecord[]
  embeddings: number
  script: Behaviour[]
  slowMs: number
  close(): Promise<void>
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => resolve(data))
  })

/** The model's answer: the first sentence of passage 1, cited; or "I don't know" without passages. */
function modelAnswer(body: any): string {
  const system: string = body.messages?.find((m: any) => m.role === 'system')?.content ?? ''
  const m = system.match(/<passage id="1"[^>]*>\n([\s\S]*?)\n<\/passage>/)
  if (!m) return "I don't know. Would you like to talk to a person?"
  const first = (m[1]!.match(/[^.!?]+[.!?]?/)?.[0] ?? m[1]!).trim()
  return `According to our documentation, ${first} [1]`
}

function vectorOf(text: string, dim: number): number[] {
  const v = new Array(dim).fill(0)
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    const h = createHash('sha256').update(word).digest()
    v[h[0]! % dim] += h[1]! & 1 ? 1 : -1
  }
  const norm = Math.hypot(...v) || 1
  return v.map((x) => x / norm)
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const state: Omit<FakeOpenAI, 'url' | 'close'> = { chats: [], embeddings: 0, script: [], slowMs: 3000 }
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await read(req)
    const body = raw ? JSON.parse(raw) : {}
    if (req.url?.endsWith('/embeddings')) {
      state.embeddings++
      const inputs: string[] = Array.isArray(body.input) ? body.input : [body.input]
      const dim = body.dimensions ?? 64
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: inputs.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t, dim) })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      )
      return
    }
    if (!req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end()
      return
    }
    const record: ChatRecord = { body, stream: body.stream === true, aborted: false }
    state.chats.push(record)
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true
    })
    const behaviour = state.script.shift() ?? 'ok'
    const error = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message, type, code: type } }))
    }
    if (behaviour === 'error500') return error(500, 'server_error', 'The server had an error.')
    if (behaviour === 'quota')
      return error(
        429,
        'insufficient_quota',
        'You exceeded your current quota, please check your plan and billing details.',
      )
    if (behaviour === 'rate429') return error(429, 'rate_limit_exceeded', 'Rate limit reached.')
    if (behaviour === 'hang') return // never answers; the client's time limit must end it

    const systemText: string = body.messages?.find((m: any) => m.role === 'system')?.content ?? ''
    let answer = typeof behaviour === 'object' ? behaviour.reply : modelAnswer(body)
    if (!record.stream) {
      // Non-streamed calls are the query rewrite and triage: echo the last user message, or classify.
      const last = [...(body.messages ?? [])].reverse().find((m: any) => m.role === 'user')?.content ?? ''
      answer =
        typeof behaviour === 'object'
          ? behaviour.reply
          : /Classify/.test(systemText)
            ? '{"intent":"other","sentiment":"neutral","language":"en"}'
            : last
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: 'cmpl-1',
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
        }),
      )
      return
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const chunk = (delta: object, finish: string | null = null, usage?: object) =>
      `data: ${JSON.stringify({ id: 'chunk-1', object: 'chat.completion.chunk', model: body.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`
    if (behaviour === 'slow-first-token') await new Promise((r) => setTimeout(r, state.slowMs))
    if (res.destroyed) return
    const words = answer.match(/\S+\s*/g) ?? [answer]
    res.write(chunk({ role: 'assistant', content: '' }))
    for (let i = 0; i < words.length; i++) {
      if (behaviour === 'drop-mid-stream' && i === 2) {
        res.destroy()
        return
      }
      res.write(chunk({ content: words[i] }))
      await new Promise((r) => setTimeout(r, 5))
      if (res.destroyed) return
    }
    res.write(chunk({}, 'stop'))
    res.write(
      chunk({}, null, {
        prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4),
        completion_tokens: words.length,
        total_tokens: 0,
      }),
    )
    res.end('data: [DONE]\n\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  })
}
