import { describe, expect, it } from 'vitest'
import {
  MAX_CHARS,
  renderForPlatform,
  splitText,
  toPlain,
  toTelegramHtml,
  toWhatsApp,
} from '../../../api/src/channels/format'
import { parseTelegram, parseWhatsApp, verifyMetaSignature } from '../../../api/src/channels/platforms'
import { metaSignature } from './stand-in'

describe('splitting under a platform limit', () => {
  it('cuts at paragraphs first, then sentences, never mid-word, losing nothing', () => {
    const para = 'A'.repeat(50) + '. ' + 'B'.repeat(40) + '.'
    const text = [para, para, para].join('\n\n')
    const parts = splitText(text, 100)
    expect(parts.every((p) => p.length <= 100)).toBe(true)
    expect(parts[0]).toBe(para)
    const words = 'word '.repeat(500).trim()
    const wordParts = splitText(words, MAX_CHARS.instagram)
    expect(wordParts.every((p) => p.length <= 1000 && !p.startsWith(' ') && p.endsWith('word'))).toBe(true)
    expect(wordParts.join(' ')).toBe(words)
  })
})

describe('markdown per platform', () => {
  const md =
    '## Delivery\n**Free** over €60, *fast* and `tracked`: see [our FAQ](https://shop.example/faq).\n- one <two>'
  it('Telegram: HTML with escaping', () => {
    expect(toTelegramHtml(md)).toBe(
      '<b>Delivery</b>\n<b>Free</b> over €60, <i>fast</i> and <code>tracked</code>: see <a href="https://shop.example/faq">our FAQ</a>.\n• one &lt;two&gt;',
    )
  })
  it('WhatsApp: its own marks, links written out', () => {
    expect(toWhatsApp(md)).toBe(
      '*Delivery*\n*Free* over €60, _fast_ and ```tracked```: see our FAQ (https://shop.example/faq).\n• one <two>',
    )
  })
  it('Messenger and Instagram: plain text', () => {
    expect(toPlain(md)).toBe(
      'Delivery\nFree over €60, fast and tracked: see our FAQ (https://shop.example/faq).\n• one <two>',
    )
  })
  it('citations become the cited pages’ links', () => {
    const [text] = renderForPlatform('messenger', 'Shipping is €4.90 [1].', [
      { id: 's', title: 'Shipping', url: 'https://shop.example/faq#q4', snippet: '' },
    ])
    expect(text).toBe('Shipping is €4.90.\n\n• Shipping (https://shop.example/faq#q4)')
  })
})

describe('parsing and signatures', () => {
  it('a Telegram update: the chat, the name, the handle and the language', () => {
    const p = parseTelegram(
      {
        update_id: 5,
        message: {
          message_id: 9,
          chat: { id: 7 },
          from: { first_name: 'Jo', username: 'jo', language_code: 'pt-BR' },
          text: 'oi',
        },
      },
      '1',
    )
    expect(p.messages[0]).toMatchObject({
      event_key: 'update:5',
      user: { id: '7', name: 'Jo', handle: '@jo', language: 'pt' },
      kind: 'text',
      text: 'oi',
    })
  })
  it('a WhatsApp location is a non-text message', () => {
    const p = parseWhatsApp({
      entry: [
        {
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '1' },
                messages: [{ id: 'w1', from: '33', type: 'location', location: {} }],
              },
            },
          ],
        },
      ],
    })
    expect(p.messages[0]).toMatchObject({ kind: 'location', text: null, user: { phone: '+33' } })
  })
  it('X-Hub-Signature-256 over the raw bytes', () => {
    const raw = '{"a":1}'
    expect(verifyMetaSignature('s3cret', Buffer.from(raw), metaSignature('s3cret', raw))).toBe(true)
    expect(verifyMetaSignature('s3cret', Buffer.from('{"a":2}'), metaSignature('s3cret', raw))).toBe(false)
    expect(verifyMetaSignature('s3cret', Buffer.from(raw), undefined)).toBe(false)
    expect(verifyMetaSignature('s3cret', Buffer.from(raw), 'sha256=00')).toBe(false)
  })
})
