import { describe, expect, it } from 'vitest'
import { readSse, type SseEvent } from '../../widget/src/sse'

function body(chunks: string[]) {
  const enc = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch))
      c.close()
    },
  })
}

describe('readSse', () => {
  it('parses events split across chunks, CRLF, comments, ids and multi-line data', async () => {
    const got: SseEvent[] = []
    await readSse(
      body([
        ': ping\n\nevent: del',
        'ta\r\ndata: {"text":"a"}\r',
        '\n\r\nid: 7\nevent: message\ndata: one\ndata: two\n\n',
        'data: last',
      ]),
      (e) => got.push(e),
    )
    expect(got).toEqual([
      { event: 'delta', data: '{"text":"a"}', id: undefined },
      { event: 'message', data: 'one\ntwo', id: '7' },
      { event: 'message', data: 'last', id: undefined },
    ])
  })
})
