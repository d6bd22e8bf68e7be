/** The theme's CSS variables from the config's primary colour (a hex colour, else the default). */
export function themeVars(color: unknown): Record<string, string> {
  let hex = typeof color === 'string' && /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : '#4f46e5'
  if (hex.length === 4) hex = '#' + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3]
  const n = parseInt(hex.slice(1), 16)
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
  const lum = 0.2126 * lin(n >> 16) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255)
  // Dark text on light brand colours keeps the launcher and visitor bubbles readable.
  return { '--parley-primary': hex, '--parley-on-primary': lum > 0.45 ? '#111827' : '#ffffff' }
}
