import OpenAI from 'openai'
import type { Config } from '../config'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface Usage {
  prompt: number
  completion: number
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  temperature: number
  max_tokens: number
  signal?: AbortSignal
}

export interface StreamResult {
  content: string
  usage: Usage
  /** 'stop', 'length', ... as the server said; 'aborted' when the caller stopped it. */
  finish_reason: string
}

/** Why a model call failed, in the terms the fallback logic needs. */
/** 'budget': the tenant's daily token budget is spent, so no call was made. */
export type LlmFault =
  'timeout' | 'quota' | 'rate_limited' | 'server' | 'network' | 'bad_request' | 'aborted' | 'budget'

export class LlmError extends Error {
  constructor(
    readonly fault: LlmFault,
    message: string,
    /** Text that had already streamed before the failure. */
    readonly partial = '',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** An OpenAI-compatible chat model: the one seam between the product and any LLM server. */
export interface Llm {
  defaultModel: string
  /** Streams an answer; onDelta gets each piece. Fails with LlmError. */
  stream(req: ChatRequest, onDelta: (text: string) => void, firstTokenMs: number): Promise<StreamResult>
  /** A short non-streamed completion (query rewriting, triage, summaries). */
  complete(req: ChatRequest): Promise<{ content: string; usage: Usage }>
}

/** The configured model, or null when no key is set (the product then answers extractively). */
export function createLlm(config: Config): Llm | null {
  if (!config.LLM_API_KEY) return null
  // Retries are ours (one, before anything streamed, never on quota), not the SDK's.
  const client = new OpenAI({
    apiKey: config.LLM_API_KEY,
    baseURL: config.LLM_BASE_URL,
    maxRetries: 0,
    timeout: config.LLM_TIMEOUT_MS,
  })
  return {
    defaultModel: config.LLM_MODEL,
    async stream(req, onDelta, firstTokenMs) {
      const ctrl = new AbortController()
      const abort = () => ctrl.abort()
      req.signal?.addEventListener('abort', abort, { once: true })
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        ctrl.abort()
      }, firstTokenMs)
      let content = ''
      let usage: Usage = { prompt: 0, completion: 0 }
      let finish = 'stop'
      try {
        const stream = await client.chat.completions.create(
          {
            model: req.model,
            messages: req.messages,
            temperature: req.temperature,
            max_tokens: req.max_tokens,
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: ctrl.signal },
        )
        for await (const chunk of stream) {
          const piece = chunk.choices[0]?.delta?.content ?? ''
          if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason
          if (chunk.usage)
            usage = { prompt: chunk.usage.prompt_tokens ?? 0, completion: chunk.usage.completion_tokens ?? 0 }
          if (piece) {
            clearTimeout(timer)
            content += piece
            onDelta(piece)
          }
        }
        if (req.signal?.aborted)
          throw new LlmError('aborted', 'The visitor left before the answer finished.', content)
        return { content, usage, finish_reason: finish }
      } catch (err) {
        if (err instanceof LlmError) throw err
        if (req.signal?.aborted)
          throw new LlmError('aborted', 'The visitor left before the answer finished.', content, {
            cause: err,
          })
        if (timedOut && !content)
          throw new LlmError('timeout', `No first token within ${firstTokenMs} ms.`, '', { cause: err })
        throw classify(err, content)
      } finally {
        clearTimeout(timer)
        req.signal?.removeEventListener('abort', abort)
      }
    },
    async complete(req) {
      // Short helper calls (query rewrite, triage, summaries) must not hold a visitor's answer for the
      // provider's full timeout: they get the first-token limit as their whole budget.
      const limit = AbortSignal.timeout(config.LLM_FIRST_TOKEN_TIMEOUT_MS)
      const signal = req.signal ? AbortSignal.any([req.signal, limit]) : limit
      try {
        const res = await client.chat.completions.create(
          {
            model: req.model,
            messages: req.messages,
            temperature: req.temperature,
            max_tokens: req.max_tokens,
          },
          { signal },
        )
        return {
          content: res.choices[0]?.message?.content ?? '',
          usage: { prompt: res.usage?.prompt_tokens ?? 0, completion: res.usage?.completion_tokens ?? 0 },
        }
      } catch (err) {
        throw classify(err, '')
      }
    },
  }
}

function classify(err: unknown, partial: string): LlmError {
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const code = String(
      (err as { code?: unknown }).code ?? (err.error as { code?: unknown } | undefined)?.code ?? '',
    )
    if (err.status === 429 && /quota|billing/i.test(code + ' ' + err.message))
      return new LlmError('quota', 'The model provider refused: quota exhausted.', partial, { cause: err })
    if (err.status === 429)
      return new LlmError('rate_limited', 'The model provider is rate limiting us.', partial, { cause: err })
    if (err.status >= 500)
      return new LlmError('server', `The model provider failed (${err.status}).`, partial, { cause: err })
    return new LlmError('bad_request', `The model provider refused the request (${err.status}).`, partial, {
      cause: err,
    })
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError('timeout', 'The model provider timed out.', partial, { cause: err })
  return new LlmError('network', 'The model provider could not be reached.', partial, { cause: err })
}
