/** Builds the widget into dist/widget: the loader (widget.js) then the chat chunk (chat.js). */
import { rmSync } from 'node:fs'
import { build } from 'vite'
import { widgetConfig } from '../widget/vite.config'

rmSync(new URL('../dist/widget', import.meta.url), { recursive: true, force: true })
for (const entry of ['loader', 'chat'] as const) {
  await build(widgetConfig(entry))
}
console.log('built dist/widget/widget.js and dist/widget/chat.js')
