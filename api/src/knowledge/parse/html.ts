import { DomUtils, ElementType, Parser, parseDocument as parseHtmlDom } from 'htmlparser2'
import { collapse, type Block } from './blocks'

/**
 * HTML, read two ways from the one module: `parseHtml` keeps the structure (blocks) for chunking;
 * `scanHtml` is the crawler's view of a page (visible text for hashing, title, links, <base>,
 * robots meta).
 */

/** Tags whose content is page chrome or code, never knowledge. */
const DROPPED = new Set([
  'script',
  'style',
  'nav',
  'footer',
  'header',
  'aside',
  'noscript',
  'template',
  'svg',
  'iframe',
  'form',
  'button',
  'select',
  'head',
  'object',
  'canvas',
  'math',
])
/** Tags that end a paragraph: their text starts and ends a block. */
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'blockquote',
  'dd',
  'dt',
  'dl',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'li',
  'center',
  'hr',
  'body',
  'html',
])

type DomDoc = ReturnType<typeof parseHtmlDom>
type DomNode = DomDoc['children'][number]
type DomElement = Extract<DomNode, { name: string; attribs: Record<string, string> }>
type DomText = Extract<DomNode, { type: typeof ElementType.Text }>

const isText = (n: DomNode): n is DomText => n.type === ElementType.Text
/** Elements, including <script> and <style>, which domhandler types apart. */
const isElement = (n: DomNode): n is DomElement => ElementType.isTag(n)

/**
 * Parses HTML with htmlparser2 into blocks: headings, paragraphs, lists (one item per line, nested
 * items indented), tables (one row per line, cells joined by " | ") and preformatted code. Scripts,
 * styles and page chrome (nav, header, footer, aside, forms) are dropped. A `<header>` or `<footer>`
 * inside an `<article>` or `<main>` is kept: there it is the article's own heading, not site chrome.
 * Title: `<title>`, else the first `<h1>`.
 */
export function parseHtml(html: string): { title?: string; blocks: Block[] } {
  const dom = parseHtmlDom(html, { decodeEntities: true, lowerCaseTags: true })
  const blocks: Block[] = []
  let inline = ''
  const flush = () => {
    const text = inline
      .split('\n')
      .map((l) => collapse(l))
      .filter(Boolean)
      .join('\n')
    if (text) blocks.push({ kind: 'paragraph', text })
    inline = ''
  }
  const titleEl = DomUtils.findOne((e) => e.name === 'title', dom.children, true)
  let title = titleEl ? collapse(DomUtils.textContent(titleEl)) || undefined : undefined

  const walk = (node: DomNode, inContent: boolean) => {
    if (isText(node)) {
      inline += node.data
      return
    }
    if (!isElement(node)) return
    const el = node as DomElement
    const name = el.name
    if (DROPPED.has(name) && !((name === 'header' || name === 'footer') && inContent)) return
    const content = inContent || name === 'article' || name === 'main'
    const heading = /^h([1-6])$/.exec(name)
    if (heading) {
      flush()
      const text = collapse(textOf(el))
      if (text) {
        blocks.push({ kind: 'heading', text, level: Number(heading[1]) })
        if (!title && heading[1] === '1') title = text
      }
      return
    }
    if (name === 'br') {
      inline += '\n'
      return
    }
    if (name === 'ul' || name === 'ol') {
      flush()
      const lines = listLines(el, 0)
      if (lines.length) blocks.push({ kind: 'list', text: lines.join('\n') })
      return
    }
    if (name === 'table') {
      flush()
      const rows = tableRows(el)
      if (rows.length) blocks.push({ kind: 'table', text: rows.join('\n') })
      return
    }
    if (name === 'pre') {
      flush()
      const text = DomUtils.textContent(el).replace(/^\n+|\s+$/g, '')
      if (text) blocks.push({ kind: 'code', text })
      return
    }
    if (name === 'img') {
      // Alt text is the only knowledge an image carries for us.
      const alt = collapse(el.attribs.alt ?? '')
      if (alt) inline += ` ${alt} `
      return
    }
    const isBlock = BLOCK_TAGS.has(name)
    if (isBlock) flush()
    for (const child of el.children) walk(child as DomNode, content)
    if (isBlock) flush()
  }
  for (const child of dom.children) walk(child, false)
  flush()
  return { title, blocks }
}

/** Text of an element minus dropped tags, with <br> as a space. */
function textOf(el: DomElement): string {
  let out = ''
  const visit = (n: DomNode) => {
    if (isText(n)) out += n.data
    else if (isElement(n)) {
      const e = n as DomElement
      if (DROPPED.has(e.name)) return
      if (e.name === 'br') out += ' '
      else if (e.name === 'img' && e.attribs.alt) out += ` ${e.attribs.alt} `
      else {
        const block = BLOCK_TAGS.has(e.name) || e.name === 'td' || e.name === 'th'
        if (block) out += ' '
        for (const c of e.children) visit(c as DomNode)
        if (block) out += ' '
      }
    }
  }
  for (const c of el.children) visit(c as DomNode)
  return out
}

function listLines(list: DomElement, depth: number): string[] {
  const lines: string[] = []
  const ordered = list.name === 'ol'
  let n = Number(list.attribs.start) || 1
  for (const child of list.children) {
    if (!isElement(child)) continue
    const li = child as DomElement
    if (li.name !== 'li') {
      if (li.name === 'ul' || li.name === 'ol') lines.push(...listLines(li, depth + 1))
      continue
    }
    // The item's own text, without its nested lists, which follow as indented lines.
    const nested = li.children.filter((c) => isElement(c) && ['ul', 'ol'].includes((c as DomElement).name))
    const own = collapse(
      li.children
        .filter((c) => !nested.includes(c))
        .map((c) => (isElement(c) ? ` ${textOf(c as DomElement)} ` : isText(c) ? c.data : ''))
        .join(''),
    )
    const marker = ordered ? `${n++}.` : '-'
    if (own) lines.push(`${'  '.repeat(depth)}${marker} ${own}`)
    for (const sub of nested) lines.push(...listLines(sub as DomElement, depth + 1))
  }
  return lines
}

function tableRows(table: DomElement): string[] {
  const rows: string[] = []
  const visit = (el: DomElement) => {
    for (const child of el.children) {
      if (!isElement(child)) continue
      const c = child as DomElement
      if (c.name === 'tr') {
        const cells = c.children
          .filter((x) => isElement(x) && ['td', 'th'].includes((x as DomElement).name))
          .map((x) => collapse(textOf(x as DomElement)).replace(/\|/g, '/'))
        if (cells.some(Boolean)) rows.push(cells.join(' | '))
      } else if (['thead', 'tbody', 'tfoot'].includes(c.name)) visit(c)
      else if (c.name === 'caption') {
        const text = collapse(textOf(c))
        if (text) rows.unshift(text)
      }
    }
  }
  visit(table)
  return rows
}

/** What one pass over a page's HTML finds. */
export interface HtmlScan {
  title: string
  text: string
  links: { href: string; nofollow: boolean }[]
  base?: string
  noindex: boolean
  nofollow: boolean
}

/** Elements whose content is never visible text. */
const INVISIBLE = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'select',
  'datalist',
])
/** Elements that break a line, so words of adjacent blocks do not run together. */
const LINE_BREAKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
])

/** The crawler's pass over a page: visible text, title, links, <base> and robots meta. */
export function scanHtml(html: string, robotsAgent = 'parleybot'): HtmlScan {
  const out: HtmlScan = { title: '', text: '', links: [], noindex: false, nofollow: false }
  const lines: string[] = []
  let line = ''
  let title: string | undefined
  let inTitle = false
  // One entry per open element: whether it started an invisible region.
  const hiddenStack: boolean[] = []
  let hidden = 0
  const breakLine = () => {
    const t = line.replace(/\s+/g, ' ').trim()
    if (t) lines.push(t)
    line = ''
  }
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'title' && title === undefined) {
          inTitle = true
          title = ''
        }
        if (name === 'base' && attrs.href && out.base === undefined) out.base = attrs.href
        if (name === 'meta') {
          const who = (attrs.name ?? '').toLowerCase()
          if (who === 'robots' || who === robotsAgent) {
            const content = (attrs.content ?? '').toLowerCase()
            if (/\b(noindex|none)\b/.test(content)) out.noindex = true
            if (/\b(nofollow|none)\b/.test(content)) out.nofollow = true
          }
        }
        if ((name === 'a' || name === 'area') && attrs.href) {
          out.links.push({ href: attrs.href, nofollow: /\bnofollow\b/i.test(attrs.rel ?? '') })
        }
        const starts = INVISIBLE.has(name) || 'hidden' in attrs || attrs['aria-hidden'] === 'true'
        hiddenStack.push(starts)
        if (starts) hidden++
        if (LINE_BREAKS.has(name)) breakLine()
        else if (name === 'img' && attrs.alt && !hidden) line += ` ${attrs.alt} `
      },
      ontext(data) {
        if (inTitle) title += data
        else if (!hidden) line += data
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false
        if (hiddenStack.pop()) hidden--
        if (LINE_BREAKS.has(name)) breakLine()
        else if (name === 'td' || name === 'th') line += ' '
      },
    },
    { decodeEntities: true },
  )
  parser.write(html)
  parser.end()
  breakLine()
  out.title = (title ?? '').replace(/\s+/g, ' ').trim()
  out.text = lines.join('\n')
  return out
}

/**
 * The visible text of an HTML page, one line per block: no scripts, styles, head, hidden
 * elements or markup. The structure-preserving parse for chunking is parseHtml; this one is
 * for hashing and duplicate detection.
 */
export function htmlToText(html: string): string {
  return scanHtml(html).text
}
