import { fileURLToPath } from 'node:url'
import { defineConfig, type InlineConfig } from 'vite'
import preact from '@preact/preset-vite'

/**
 * Two builds into dist/widget: the loader (widget.js, a classic IIFE script) and the chat chunk
 * (chat.js, an ES module with Preact inside), minified, without hashes or sourcemaps.
 * `WIDGET_ENTRY=loader|chat` picks one; scripts/build-widget.ts runs both.
 */
const root = fileURLToPath(new URL('..', import.meta.url))
const outDir = fileURLToPath(new URL('../dist/widget', import.meta.url))

export function widgetConfig(entry: 'loader' | 'chat'): InlineConfig {
  const loader = entry === 'loader'
  return {
    root,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    plugins: loader ? [] : [preact({ devToolsEnabled: false, prefreshEnabled: false })],
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2019',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      modulePreload: false,
      rolldownOptions: {
        input: fileURLToPath(new URL(loader ? './src/loader.ts' : './src/chat/index.ts', import.meta.url)),
        // keep `mount` exported from chat.js (app builds drop entry exports by default)
        preserveEntrySignatures: 'strict',
        output: {
          format: loader ? 'iife' : 'es',
          entryFileNames: loader ? 'widget.js' : 'chat.js',
        },
      },
    },
  }
}

export default defineConfig(widgetConfig(process.env.WIDGET_ENTRY === 'chat' ? 'chat' : 'loader'))
