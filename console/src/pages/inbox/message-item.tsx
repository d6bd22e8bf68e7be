import type { ComponentChildren } from 'preact'
import type { Message, MessageDelivery, Source } from '../../../../contract'
import { linkHref } from '../../../../contract/links'
import { fullTime } from '../../time'

export interface MessageItemProps {
  message: Message
  /** Offers "Improve this answer" on a bot message (the Feedback page's form). */
  onImprove?: (message: Message) => void
  /** Shown under the message (the open improvement form). */
  children?: ComponentChildren
}

const AUTHOR: Record<string, string> = { user: 'Visitor', ai: 'Bot', agent: 'Agent', system: 'System' }

function SourceList({ sources }: { sources: Source[] }) {
  return (
    <div class="sources">
      <span class="sources-label">Sources</span>
      <ol>
        {sources.map((src) => {
          // Only http(s) links are followed; anything else (javascript:, data:) is shown as plain text.
          const href = linkHref(src.url)
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

const DELIVERY: Record<MessageDelivery['status'], { mark: string; label: string }> = {
  pending: { mark: '…', label: 'Sending' },
  retrying: { mark: '↻', label: 'Retrying' },
  sent: { mark: '✓', label: 'Sent' },
  delivered: { mark: '✓✓', label: 'Delivered' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { mark: '!', label: 'Not delivered' },
}

/** How an outgoing message of a messaging channel fared: a compact mark and word, the reason when it failed. */
export function DeliveryState({ delivery }: { delivery: MessageDelivery }) {
  const d = DELIVERY[delivery.status] ?? { mark: '', label: delivery.status }
  return (
    <span
      class={`msg-delivery msg-delivery-${delivery.status}`}
      title={delivery.error ?? undefined}
      data-delivery={delivery.status}
    >
      <span aria-hidden="true">{d.mark}</span> {d.label}
    </span>
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
        {m.delivery?.status === 'failed' && (
          <>
            {' · '}
            <DeliveryState delivery={m.delivery} />
          </>
        )}
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
        {m.delivery && !m.private && <DeliveryState delivery={m.delivery} />}
      </div>
      <div class="bubble">
        <p class="msg-text">{m.content}</p>
        {m.delivery?.error && (m.delivery.status === 'failed' || m.delivery.status === 'retrying') && (
          <p class="delivery-error">{m.delivery.error}</p>
        )}
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
