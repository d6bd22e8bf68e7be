/**
 * The tenant's brand colour (the widget's theme.primary_color) as the console's accent. White text
 * sits on the accent (primary buttons), so a colour with less than 4.5:1 contrast against white is
 * darkened step by step until it reaches it.
 */

const HEX = /^#([0-9a-f]{6})$/i

function rgb(hex: string): [number, number, number] | null {
  const m = HEX.exec(hex.trim())
  if (!m) return null
  const n = parseInt(m[1], 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

const toHex = (c: [number, number, number]) =>
  '#' +
  c
    .map((v) =>
      Math.round(Math.max(0, Math.min(255, v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')

/** WCAG relative luminance of a #RRGGBB colour. */
export function luminance(hex: string): number {
  const c = rgb(hex)
  if (!c) return 0
  const [r, g, b] = c.map((v) => {
    const s = v / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** WCAG contrast ratio between two #RRGGBB colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** Mixes a colour with another: amount 0 keeps it, 1 gives the other. */
export function mix(hex: string, other: string, amount: number): string {
  const a = rgb(hex)
  const b = rgb(other)
  if (!a || !b) return hex
  return toHex([0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * amount) as [number, number, number])
}

/** The colour itself when white text on it reads (>= 4.5:1), else the first darker shade that does. */
export function accessibleAccent(hex: string): string {
  if (!rgb(hex)) return DEFAULT_ACCENT
  const base = hex.toLowerCase()
  for (let step = 0; step <= 20; step++) {
    const shade = step === 0 ? base : mix(base, '#000000', step * 0.05)
    // Text in the accent also sits on its soft tint (the current tab): that pair must read too.
    if (contrastRatio(shade, '#ffffff') >= 4.5 && contrastRatio(shade, softTint(shade)) >= 4.5) return shade
  }
  return '#000000'
}

/** The pale background version of an accent (selected tab, highlighted row). */
export const softTint = (accent: string) => mix(accent, '#ffffff', 0.9)

export const DEFAULT_ACCENT = '#2f5bea'

/** Sets --accent (and its soft tint) on the document from a brand colour; null restores the default. */
export function applyAccent(brand: string | null | undefined): void {
  const accent = accessibleAccent(brand ?? DEFAULT_ACCENT)
  const root = document.documentElement.style
  root.setProperty('--accent', accent)
  root.setProperty('--accent-soft', softTint(accent))
}
