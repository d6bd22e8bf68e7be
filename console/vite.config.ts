import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'
import { fileURLToPath } from 'node:url'

/**
 * Build of the agent console: a plain single-page app served by the API at /console/, on the same
 * origin as the API, so every call it makes is a relative `/v1/...`.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // scripts/size.ts reads it to weigh the first page and each page's chunk.
    manifest: true,
  },
  server: {
    // In `vite dev`, forward API calls to a locally running API.
    proxy: { '/v1': process.env.API_URL ?? 'http://localhost:3999' },
  },
})
