import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

/**
 * Class: the method-not-allowed fallback claims routes that do not exist. A path no route serves is
 * 404, whatever the method; 405 (with Allow) only when another method of that path has a route.
 */
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const TABLE: [string, string, number][] = [
  ['GET', '/robots.txt', 404],
  ['HEAD', '/robots.txt', 404],
  ['GET', '/favicon.ico', 404],
  ['GET', '/.env', 404],
  ['GET', '/wp-login.php', 404],
  ['POST', '/robots.txt', 404],
  ['GET', '/missing-chunk.js', 404],
  ['GET', '/nope', 404],
  ['GET', '/v1/nope', 404],
  ['PUT', '/v1/nope/deeper', 404],
  ['DELETE', '/healthz', 405],
  ['POST', '/readyz', 405],
  ['DELETE', '/v1/widget/config', 405],
]

it.each(TABLE)('%s %s -> %i', async (method, path, status) => {
  const res = await t.app.request(path, { method })
  expect(res.status).toBe(status)
  if (method === 'HEAD') return
  const body = (await res.json()) as any
  expect(body.error.code).toBe(status === 404 ? 'not_found' : 'method_not_allowed')
  if (status === 405) expect(res.headers.get('allow')).toBeTruthy()
})
