import { useState } from 'preact/hooks'
import type { Strings } from '../i18n'
import { Avatar } from './chat-header'
import type { ChatStore, ViewMessage } from './chat-store'
import { Markdown } from './markdown'
import { SourceList } from './source-list'

export interface MessageBubbleProps {
  message: ViewMessage
  t: Strings
  /** The agent's avatar URL, when a person wrote it. */
  avatar?: string | null
  /** The rating already given to this answer. */
  rated?: 'up' | 'down'
  store: ChatStore
  /** The session is still with the bot: an "I don't know" answer offers a person with a button. */
  escalatable?: boolean
  /** Where links in bot answers may go (the config's link_domains); agents' links are not limited. */
  domains?: string[]
}

const THUMB = 'M7 10v11H3V10zm0 0l4-8a3 3 0 0 1 3 3v4h6a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.6 21H7'

/**
 * One message: visitor on the end side (plain text), bot and agent on the start side (safe
 * markdown), system lines centred. Bot answers carry their sources and thumbs up/down.
 */
export function MessageBubble({
  message: m,
  t,
  avatar,
  rated,
  store,
  escalatable,
  domains,
}: MessageBubbleProps) {
  const [asking, setAsking] = useState(false)
  const [comment, setComment] = useState('')
  if (m.message_type === 'system') {
    return (
      <div class={'system' + (m.local === 'error' ? ' error' : '')}>
        <span>{m.content}</span>
      </div>
    )
  }
  const mine = m.message_type === 'user'
  const answer = m.message_type === 'ai' && !m.local
  return (
    <div class={'row ' + (mine ? 'me' : 'bot') + (m.local ? ' ' + m.local : '')}>
      {m.message_type === 'agent' && m.agent && (
        <div class="who">
          <Avatar name={m.agent.name} url={avatar || m.agent.avatar_url} small />
          {m.agent.name}
        </div>
      )}
      <div class="bubble">
        {mine ? (
          m.content
        ) : (
          <Markdown
            text={m.content}
            sources={m.sources}
            domains={m.message_type == 'ai' ? domains : undefined}
          />
        )}
        {m.local === 'streaming' && <span class="caret" aria-hidden="true" />}
      </div>
      {answer && <SourceList sources={m.sources || []} label={t.sources} domains={domains} />}
      {answer && escalatable && m.choices && m.choices.length > 0 && (
        <div class="chips">
          {m.choices.map((c) => (
            <button type="button" class="chip" key={c.label} onClick={() => void store.send(c.label)}>
              {c.label}
            </button>
          ))}
        </div>
      )}
      {answer && m.suggest_human && escalatable && (
        <button type="button" class="human offer" onClick={() => void store.escalate()}>
          {t.talkToHuman}
        </button>
      )}
      {answer && (
        <div class="fb">
          {(['up', 'down'] as const).map((r) => (
            <button
              type="button"
              key={r}
              class={'thumb ' + r}
              aria-label={r === 'up' ? t.helpful : t.notHelpful}
              aria-pressed={rated === r}
              disabled={!!rated}
              onClick={() => {
                void store.rateMessage(m.id, r)
                if (r === 'down') setAsking(true)
              }}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d={THUMB} />
              </svg>
            </button>
          ))}
          {rated && !asking && <span class="thanks">{t.thanks}</span>}
        </div>
      )}
      {asking && (
        <form
          class="fb-form"
          onSubmit={(e) => {
            e.preventDefault()
            if (comment.trim()) void store.rateMessage(m.id, 'down', comment.trim().slice(0, 2000))
            setAsking(false)
          }}
        >
          <input
            aria-label={t.comment}
            placeholder={t.comment}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button type="submit" class="send sm" aria-label={t.send}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M5 12h14M13 6l6 6-6 6" />
            </svg>
          </button>
        </form>
      )}
      {m.local === 'sending' && <div class="state">{t.sending}</div>}
      {m.local === 'failed' && (
        <div class="state failed">
          {t.notSent}
          {' · '}
          <button type="button" class="link" onClick={() => store.retry(m.id)}>
            {t.retry}
          </button>
        </div>
      )}
    </div>
  )
}
