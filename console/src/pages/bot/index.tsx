/** The Bot page: persona and model, prompt versions per type with history, diff and rollback, and the assembled system prompt. */
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { PageProps } from '../types'
import { botApi, type BotSettings } from './api'
import { PersonaForm } from './persona-form'
import { PromptPreview } from './prompt-preview'
import { PromptVersions } from './prompt-versions'
import { strings } from './strings'
import { BotOptions } from '../../components/bot-options'

export default function BotPage({ tenantId }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const [bots, setBots] = useState<BotSettings[] | null>(null)
  const [botId, setBotId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  // Bumped by every save: the preview reads the bot again.
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let stale = false
    botApi
      .bots(tenantId)
      .then((res) => {
        if (stale) return
        setBots(res.bots)
        setBotId((cur) => cur ?? res.bots[0]?.id ?? null)
      })
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : String(err)))
    return () => {
      stale = true
    }
  }, [tenantId])

  const bot = bots?.find((b) => b.id === botId) ?? null
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.bot')}</h1>
        {bots && bots.length > 1 && (
          <label>
            <span class="sr-only">{t('bot')}</span>
            <select value={botId ?? ''} onChange={(e) => setBotId(e.currentTarget.value)}>
              <BotOptions bots={bots} />
            </select>
          </label>
        )}
      </div>
      {error && <p class="pane-error">{error}</p>}
      {!bots && !error && <p class="muted">{c('loading')}</p>}
      {bots && !bot && <EmptyState title={t('noBot')}>{t('noBotHint')}</EmptyState>}
      {bot && (
        <>
          <PersonaForm
            key={bot.id}
            bot={bot}
            onSaved={(saved) => {
              setBots((cur) => cur?.map((b) => (b.id === saved.id ? saved : b)) ?? cur)
              setVersion((v) => v + 1)
            }}
          />
          <PromptVersions botId={bot.id} onChanged={() => setVersion((v) => v + 1)} />
          <PromptPreview botId={bot.id} version={version} />
        </>
      )}
    </main>
  )
}
