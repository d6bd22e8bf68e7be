import type { Strings } from '../i18n'
import type { ViewMessage } from './chat-store'
import { SourceList } from './source-list'

export interface MessageBubbleProps {
  message: ViewMessage
  t: Strings
  onRetry: (id: string) => void
}

/** One message: visitor on the right, bot and agent on the left, system lines centred. Text only. */
export function MessageBubble({ message: m, t, onRetry }: MessageBubbleProps) {
  if (m.message_type === 'system') {
    return (
      <div class={'system' + (m.local === 'error' ? ' error' : '')}>
        <span>{m.content}</span>
      </div>
    )
  }
  const mine = m.message_type === 'user'
  return (
    <div class={'row ' + (mine ? 'me' : 'bot') + (m.local ? ' ' + m.local : '')}>
      {m.message_type === 'agent' && m.agent && <div class="who">{m.agent.name}</div>}
      <div class="bubble">
        {m.content}
        {m.local === 'streaming' && <span class="caret" aria-hidden="true" />}
      </div>
      {m.message_type === 'ai' && !m.local && <SourceList sources={m.sources || []} label={t.sources} />}
      {m.local === 'failed' && (
        <div class="failed">
          {t.notSent}
          {' · '}
          <button type="button" class="link" onClick={() => onRetry(m.id)}>
            {t.retry}
          </button>
        </div>
      )}
    </div>
  )
}
