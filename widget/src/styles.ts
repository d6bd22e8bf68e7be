/**
 * Adds `css` to a shadow root: a constructed stylesheet when the browser has them (no CSP
 * 'unsafe-inline' needed), otherwise a <style> element carrying the page's CSP nonce.
 */
export function addStyles(root: ShadowRoot, css: string, nonce?: string): void {
  try {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
  } catch {
    const style = document.createElement('style')
    if (nonce) style.nonce = nonce
    style.textContent = css
    root.appendChild(style)
  }
}
