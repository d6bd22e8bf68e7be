import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  ArchiveBomb,
  detectType,
  FileTooLarge,
  parseDocument,
  UnsupportedFile,
  type Block,
} from '../../../api/src/knowledge/parse'

/**
 * Uploaded files: the bytes decide the type, every supported format comes out as headings,
 * paragraphs, lists and tables, and dangerous or unreadable files are refused with a typed error a
 * person can read. Binary fixtures come from scripts/make-fixtures.py.
 */
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/knowledge/${name}`, import.meta.url)))
const utf8 = (s: string) => new TextEncoder().encode(s)
const kinds = (blocks: Block[]) => blocks.map((b) => (b.kind === 'heading' ? `h${b.level}` : b.kind))

async function refusal(bytes: Uint8Array, filename?: string, limits?: Parameters<typeof parseDocument>[2]) {
  try {
    await parseDocument(bytes, filename, limits)
  } catch (err) {
    return err as Error & { code: string }
  }
  throw new Error('expected the file to be refused')
}

describe('text formats', () => {
  it('reads plain text as paragraphs, with bullet lines as a list', async () => {
    const doc = await parseDocument(
      utf8('Opening hours\nMonday to Friday.\r\n\r\n- Phone\n- E-mail\n- Chat\n\nThat is all.'),
      'hours.txt',
    )
    expect(doc.type).toBe('text')
    expect(doc.blocks).toEqual([
      { kind: 'paragraph', text: 'Opening hours\nMonday to Friday.' },
      { kind: 'list', text: '- Phone\n- E-mail\n- Chat' },
      { kind: 'paragraph', text: 'That is all.' },
    ])
  })

  it('keeps Markdown structure: headings, lists, tables, code, and front-matter title', async () => {
    const md = [
      '---',
      'title: Aide livraison',
      '---',
      '# Livraison',
      '',
      'Nous livrons **partout** en [France](https://example.com/fr).',
      '',
      '## Délais',
      '',
      '1. Commande',
      '2. Expédition',
      '   sous 24 h',
      '',
      '| Zone | Jours |',
      '|:---|---:|',
      '| France | 2 |',
      '| Europe | 5 |',
      '',
      '```',
      'curl https://api.example.com',
      '```',
    ].join('\n')
    const doc = await parseDocument(utf8(md), 'aide.md')
    expect(doc.type).toBe('markdown')
    expect(doc.title).toBe('Aide livraison')
    expect(kinds(doc.blocks)).toEqual(['h1', 'paragraph', 'h2', 'list', 'table', 'code'])
    expect(doc.blocks[1].text).toBe('Nous livrons partout en France.')
    expect(doc.blocks[3].text).toBe('1. Commande\n2. Expédition sous 24 h')
    expect(doc.blocks[4].text).toBe('Zone | Jours\nFrance | 2\nEurope | 5')
  })

  it('reads HTML without page chrome, scripts or styles, keeping headings, lists and table rows', async () => {
    const html = `<!DOCTYPE html><html><head><title>Centre d'aide &amp; FAQ</title><style>.x{color:red}</style></head>
      <body><nav><a href="/">Accueil</a><a href="/cart">Panier</a></nav><header>Logo du site</header>
      <main><article><header><h1>Livraison</h1></header>
      <p>Nous livrons en <b>48&nbsp;h</b>.<br>Le suivi est envoyé par e-mail.</p>
      <h2>Tarifs</h2>
      <table><thead><tr><th>Zone</th><th>Prix</th></tr></thead><tbody><tr><td>France</td><td>4,90 €</td></tr><tr><td>Europe</td><td>9,90 €</td></tr></tbody></table>
      <ul><li>Colissimo<ul><li>Point relais</li></ul></li><li>Chronopost</li></ul>
      <script>trackVisitor()</script><noscript>Activez JavaScript</noscript></article></main>
      <aside>Produits similaires</aside><footer>© 2024 Boutique</footer></body></html>`
    const doc = await parseDocument(utf8(html), 'page.html')
    expect(doc.type).toBe('html')
    expect(doc.title).toBe("Centre d'aide & FAQ")
    expect(kinds(doc.blocks)).toEqual(['h1', 'paragraph', 'h2', 'table', 'list'])
    expect(doc.blocks[1].text).toBe('Nous livrons en 48 h.\nLe suivi est envoyé par e-mail.')
    expect(doc.blocks[3].text).toBe('Zone | Prix\nFrance | 4,90 €\nEurope | 9,90 €')
    expect(doc.blocks[4].text).toBe('- Colissimo\n  - Point relais\n- Chronopost')
    const all = doc.blocks.map((b) => b.text).join('\n')
    for (const chrome of [
      'Accueil',
      'Panier',
      'Logo du site',
      'trackVisitor',
      'Activez',
      'similaires',
      '© 2024',
    ]) {
      expect(all).not.toContain(chrome)
    }
  })

  it('takes the title from the first h1 when there is no <title>', async () => {
    const doc = await parseDocument(utf8('<body><h1>Returns</h1><p>30 days.</p></body>'))
    expect(doc).toMatchObject({ type: 'html', title: 'Returns' })
  })
})

describe('binary formats', () => {
  it('reads a PDF page by page, with headings found from font sizes and the title from metadata', async () => {
    const doc = await parseDocument(fixture('sample.pdf'), 'policy.pdf')
    expect(doc.type).toBe('pdf')
    expect(doc.title).toBe('Shipping and returns')
    expect(doc.blocks.map((b) => [kinds([b])[0], b.page])).toEqual([
      ['h1', 1],
      ['paragraph', 1],
      ['h2', 1],
      ['paragraph', 1],
      ['h1', 2],
      ['paragraph', 2],
    ])
    expect(doc.blocks[0].text).toBe('Shipping policy')
    expect(doc.blocks[2].text).toBe('International shipping')
    expect(doc.blocks[5].text).toContain(
      'You can return any item within 30 days of delivery for a full refund.',
    )
  })

  it('reads a Word document with its heading levels, accents and table', async () => {
    const doc = await parseDocument(fixture('sample.docx'), 'retours.docx')
    expect(doc.type).toBe('docx')
    expect(doc.title).toBe('Politique de retour')
    expect(kinds(doc.blocks)).toEqual(['h1', 'paragraph', 'h2', 'paragraph', 'table'])
    expect(doc.blocks[2].text).toBe('Remboursements')
    expect(doc.blocks[3].text).toContain('moyen de paiement d’origine sous cinq jours ouvrés')
    expect(doc.blocks[4].text).toBe(
      'Produit | Délai de retour\nVêtements | 30 jours\nÉlectronique | 14 jours',
    )
  })
})

describe('the bytes decide the type, not the name', () => {
  it('parses a PDF renamed .txt as a PDF', async () => {
    expect(await detectType(fixture('sample.pdf'), 'notes.txt')).toBe('pdf')
    const doc = await parseDocument(fixture('sample.pdf'), 'notes.txt')
    expect(doc.type).toBe('pdf')
    expect(doc.blocks[0].text).toBe('Shipping policy')
  })

  it('recognises a Word document without any name', async () => {
    expect(await detectType(fixture('sample.docx'))).toBe('docx')
  })

  it('reads HTML as HTML even when named .md, and HTML-looking names do not make text HTML', async () => {
    expect(await detectType(utf8('<!doctype html><p>Hi</p>'), 'notes.md')).toBe('html')
    expect(await detectType(utf8('Just words, no tags.'), 'page.html')).toBe('text')
  })

  it('lets the extension choose only between Markdown and plain text', async () => {
    const md = utf8('# Title\n\nBody')
    expect(await detectType(md, 'a.md')).toBe('markdown')
    expect(await detectType(md, 'a.txt')).toBe('text')
    expect(await detectType(md)).toBe('markdown')
    expect(await detectType(utf8('plain words'))).toBe('text')
  })

  it('refuses a PNG named .pdf, saying what it is', async () => {
    const err = await refusal(fixture('image.png'), 'invoice.pdf')
    expect(err).toBeInstanceOf(UnsupportedFile)
    expect(err.code).toBe('unsupported_file')
    expect(err.message).toMatch(/PNG/)
  })

  it('refuses a zip that is not a Word document, even named .docx', async () => {
    const err = await refusal(fixture('not-docx.zip'), 'report.docx')
    expect(err).toBeInstanceOf(UnsupportedFile)
    expect(err.message).toMatch(/not a Word document/)
  })

  it('refuses text that is not valid UTF-8, and binary bytes', async () => {
    const latin1 = Uint8Array.from([
      0x44, 0xe9, 0x6c, 0x61, 0x69, 0x20, 0x64, 0x65, 0x20, 0x72, 0x65, 0x74, 0x6f, 0x75, 0x72,
    ]) // "Délai de retour" in Latin-1
    const err = await refusal(latin1, 'faq.txt')
    expect(err).toBeInstanceOf(UnsupportedFile)
    expect(err.message).toMatch(/UTF-8/)
    expect(await refusal(Uint8Array.from([0x68, 0x69, 0x00, 0x00, 0x01, 0x02]), 'x.txt')).toBeInstanceOf(
      UnsupportedFile,
    )
    // An ELF executable header.
    expect(
      await refusal(
        Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(56).fill(0)]),
        'run.md',
      ),
    ).toBeInstanceOf(UnsupportedFile)
    expect(await refusal(new Uint8Array(0), 'empty.txt')).toBeInstanceOf(UnsupportedFile)
  })
})

describe('limits', () => {
  it('refuses a file over the size limit (20 MB by default) before reading it', async () => {
    const big = new Uint8Array(20 * 1024 * 1024 + 1).fill(0x61)
    const err = await refusal(big, 'big.txt')
    expect(err).toBeInstanceOf(FileTooLarge)
    expect(err.code).toBe('file_too_large')
    expect(err.message).toMatch(/20 MB/)
    expect(await refusal(fixture('sample.pdf'), 'a.pdf', { maxBytes: 1000 })).toBeInstanceOf(FileTooLarge)
  })

  it('refuses a Word document that would expand to more than 50 MB (a zip bomb of 60 KB)', async () => {
    const bytes = fixture('bomb.docx')
    expect(bytes.byteLength).toBeLessThan(100 * 1024)
    const err = await refusal(bytes, 'bomb.docx')
    expect(err).toBeInstanceOf(ArchiveBomb)
    expect(err.code).toBe('archive_bomb')
    await expect(detectType(bytes)).rejects.toBeInstanceOf(ArchiveBomb)
  })

  it('refuses a large entry compressed more than 100:1, even under the total limit', async () => {
    const err = await refusal(fixture('ratio-bomb.docx'))
    expect(err).toBeInstanceOf(ArchiveBomb)
    expect(err.message).toMatch(/100:1/)
  })

  it('refuses a zip whose headers understate what its data inflates to', async () => {
    const err = await refusal(fixture('lying.docx'))
    expect(err).toBeInstanceOf(ArchiveBomb)
    expect(err.message).toMatch(/lies about the size/)
  })

  it('refuses an archive with more entries than allowed', async () => {
    const err = await refusal(fixture('sample.docx'), 'a.docx', { maxEntries: 3 })
    expect(err).toBeInstanceOf(ArchiveBomb)
    expect(err.message).toMatch(/5 entries; at most 3/)
  })
})
