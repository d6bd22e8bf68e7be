import type { ComponentChildren } from 'preact'
import type { Message, Source } from '../../../../contract'
import { fullTime } from '../../time'

export interface MessageItemProps {
  message: Message
  /** Offers "Improve this answer" on a bot message (the Feedback page's form). */
  onImprove?: (message: Message) => void
  /** Shown under the message (the open improvement form). */
  children?: ComponentChildren
}

const AUTHOR: Record<string, string> = { user: 'Visitor', ai: 'Bot', agent: 'Agent', system: 'System' }

/** Only http(s) links are followed; anything else (javascript:, data:) is shown as plain text. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null
  } catch {
    return null
  }
}

function SourceList({ sources }: { sources: Source[] }) {
  return (
    <div class="sources">
      <span class="sources-label">Sources</span>
      <ol>
        {sources.map((src) => {
          const href = safeUrl(src.url)
          const title = src.title || src.url || 'Untitled source'
          return (
            <li key={src.id}>
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer" title={src.snippet}>
                  {title}
                </a>
              ) : (
                <span title={src.snippet}>{title}</span>
              )}
            </li>
          )
        })}
      </ol>
    </div>
  )
}

/**
 * One message of a conversation. Content is always rendered as a text node (never as HTML), with its
 * line breaks kept by CSS (`white-space: pre-wrap`).
 */
export function MessageItem({ message: m, onImprove, children }: MessageItemProps) {
  if (m.message_type === 'system') {
    return (
      <li class="msg msg-system">
        <span class="msg-text">{m.content}</span>
        <time dateTime={m.created_at} title={fullTime(m.created_at)}>
          {' · '}
          {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
      </li>
    )
  }
  const author = m.message_type === 'agent' && m.agent?.name ? m.agent.name : AUTHOR[m.message_type]
  const kind = m.private ? 'note' : m.message_type
  return (
    <li class={`msg msg-${kind}${m.message_type === 'user' ? ' msg-in' : ' msg-out'}`}>
      <div class="msg-meta">
        {m.private && <span class="note-label">Private note</span>}
        <span class="msg-author">{author}</span>
        <time dateTime={m.created_at} title={fullTime(m.created_at)}>
          {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
        {m.status === 'failed' && <span class="msg-flag">failed</span>}
        {m.status === 'partial' && <span class="msg-flag">interrupted</span>}
      </div>
      <div class="bubble">
        <p class="msg-text">{m.content}</p>
        {m.message_type === 'ai' && m.sources?.length > 0 && <SourceList sources={m.sources} />}
      </div>
      {m.message_type === 'ai' && onImprove && !children && (
        <button type="button" class="btn btn-small msg-improve" onClick={() => onImprove(m)}>
          Improve this answer
        </button>
      )}
      {children}
    </li>
  )
}
