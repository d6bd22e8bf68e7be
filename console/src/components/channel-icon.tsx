/** A conversation's or a channel's platform: a small coloured mark and, unless `compact`, its name. */
const NAMES: Record<string, string> = {
  widget: 'Widget',
  api: 'API',
  email: 'E-mail',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
}
const MARKS: Record<string, string> = {
  widget: '</>',
  api: '{}',
  email: '@',
  telegram: 'TG',
  whatsapp: 'WA',
  messenger: 'M',
  instagram: 'IG',
}

export const channelName = (channel: string | null | undefined) =>
  NAMES[channel ?? 'widget'] ?? String(channel)

export function ChannelIcon({ channel, compact }: { channel: string | null | undefined; compact?: boolean }) {
  const ch = channel && channel in NAMES ? channel : 'widget'
  return (
    <span class={`ch ch-${ch}`} data-channel={ch} title={compact ? channelName(ch) : undefined}>
      <span class="ch-mark" aria-hidden="true">
        {MARKS[ch]}
      </span>
      <span class={compact ? 'sr-only' : 'ch-name'}>{channelName(ch)}</span>
    </span>
  )
}
