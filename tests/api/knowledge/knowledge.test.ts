import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'

/** Documents, websites and retrieval testing through the console API, with the real worker. */
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/knowledge/${name}`, import.meta.url))

async function upload(
  bytes: Uint8Array | string,
  filename: string,
  fields: Record<string, string> = {},
  headers = owner,
) {
  const form = new FormData()
  form.set('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)]), filename)
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  return t.app.request(`/v1/tenants/${TENANT}/knowledge/documents`, { method: 'POST', body: form, headers })
}

async function processed(id: string) {
  await t.deps.worker!.drain()
  const res = await t.json('GET', `/v1/tenants/${TENANT}/knowledge/sources/${id}`, undefined, owner)
  return (await res.json()) as any
}

async function search(query: string, k = 3) {
  const res = await t.json('POST', `/v1/tenants/${TENANT}/knowledge/search`, { query, k }, owner)
  expect(res.status).toBe(200)
  return (await res.json()) as any
}

/**
 * Runs `run` with one ready text source holding these passages (title, content) in one language,
 * written the way the worker writes chunks (with their vectors when `embed`), then deletes them.
 */
async function withPassages(
  language: string,
  passages: [string, string][],
  run: (source: string) => Promise<void>,
  { embed = false } = {},
): Promise<void> {
  const { rows } = await t.deps.pool.query(
    `with s as (insert into knowledge_sources (tenant_id, kind, title, status) values ($1, 'text', 'Seeded', 'ready') returning id)
     insert into knowledge_chunks (tenant_id, source_id, chunk_index, title, content, language)
     select $1, s.id, p.i - 1, p.title, p.content, $2
       from s, unnest($3::text[], $4::text[]) with ordinality as p(title, content, i)
     returning source_id`,
    [TENANT, language, passages.map(([title]) => title), passages.map(([, content]) => content)],
  )
  const source: string = rows[0].source_id
  try {
    // With their vectors, embedded by the worker as it embeds seeded FAQs (title, headings and content).
    if (embed) while ((await t.deps.worker!.backfill()) > 0);
    await run(source)
  } finally {
    await t.deps.pool.query(`delete from knowledge_sources where id = $1`, [source])
  }
}

beforeAll(async () => {
  // Ranking expectations need vectors: PGlite has pgvector, the CI server does not.
  t = await createTestApp({ FETCH_ALLOW_LOOPBACK: '1', WORKER_POLL_MS: '60000' }, { embedded: true })
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
})
afterAll(() => t.close())

describe('documents', () => {
  const cases: [string, Uint8Array | string, string, string][] = [
    [
      'text',
      'Gift cards\n\nGift cards are valid for 18 months and can be used online and in the Lyon shop.',
      'cards.txt',
      'gift cards valid',
    ],
    [
      'markdown',
      '# Warranty\n\n## Electronics\n\nHeadphones carry a 2-year manufacturer warranty covering defects.\n\n- Keep the receipt\n- Contact support',
      'warranty.md',
      'headphones warranty',
    ],
    [
      'html',
      '<!doctype html><html><head><title>Loyalty</title><script>alert(1)</script></head><body><h1>Loyalty club</h1><p>Members earn 5 points per euro spent and get free express shipping.</p></body></html>',
      'loyalty.html',
      'loyalty points per euro',
    ],
    ['pdf', fixture('sample.pdf'), 'manual.pdf', 'international parcels arrive business days'],
    ['docx', fixture('sample.docx'), 'policy.docx', 'délai de retour électronique'],
  ]

  it.each(cases)(
    'ingests %s: pending, then ready with chunks, then searchable',
    async (type, bytes, name, query) => {
      const res = await upload(bytes, name)
      expect(res.status).toBe(202)
      const { source } = (await res.json()) as any
      expect(source.status).toBe('pending')
      expect(source.mime_type).toBe(type)
      const done = await processed(source.id)
      expect(done.source.status).toBe('ready')
      expect(done.source.chunk_count).toBeGreaterThan(0)
      expect(done.jobs[0].status).toBe('done')
      const { rows } = await t.deps.pool.query(
        'select content, heading_path, page_number, embedding_model from knowledge_chunks where source_id = $1 order by chunk_index',
        [source.id],
      )
      expect(rows.every((r) => r.embedding_model)).toBe(true)
      const found = await search(query)
      expect(found.passages[0].source.id).toBe(source.id)
      if (type === 'html') expect(rows.map((r) => r.content).join(' ')).not.toContain('alert(1)')
      if (type === 'markdown')
        expect(found.passages[0].source.heading_path).toEqual(['Warranty', 'Electronics'])
      if (type === 'pdf') expect(rows.some((r) => r.page_number === 2)).toBe(true)
      if (type === 'docx') {
        expect(found.passages[0].text).toMatch(/Électronique \| 14 jours/)
        expect(found.passages[0].source.heading_path[0]).toBe('Politique de retour')
      }
    },
  )

  it("gives each passage its own language, so full text stems a French guide's English section as English", async () => {
    const guide = [
      '# Expédition des commandes',
      'Nous expédions les commandes passées avant midi le jour même, depuis notre entrepôt de Lyon, avec un numéro de suivi envoyé par e-mail.',
      '# Shipping for international customers',
      'International parcels are shipped by our carrier partners and they usually arrive within five to eight working days, with tracking included.',
    ].join('\n\n')
    const res = await upload(guide, 'guide.md', { language: 'fr' })
    const { source } = (await res.json()) as any
    expect((await processed(source.id)).source.status).toBe('ready')
    // The English stemmer makes "shipped" and "working" "ship" and "work"; the French one keeps them.
    const { rows } = await t.deps.pool.query(
      `select language, fts @@ to_tsquery('simple', 'ship & work') as english_stems
         from knowledge_chunks where source_id = $1 order by chunk_index`,
      [source.id],
    )
    expect(rows).toEqual([
      { language: 'fr', english_stems: false },
      { language: 'en', english_stems: true },
    ])
  })

  it('decides the type from the bytes: a PDF named .txt is a PDF, a PNG named .pdf is refused', async () => {
    const pdf = await upload(fixture('sample.pdf'), 'notes.txt')
    expect(((await pdf.json()) as any).source.mime_type).toBe('pdf')
    const png = await upload(fixture('image.png'), 'report.pdf')
    expect(png.status).toBe(415)
    expect(((await png.json()) as any).error.code).toBe('unsupported_file')
  })

  it('refuses an archive bomb disguised as a .docx with a readable error, keeping nothing', async () => {
    const before = (await t.deps.pool.query('select count(*)::int as n from knowledge_sources')).rows[0].n
    const res = await upload(fixture('bomb.docx'), 'bomb.docx')
    expect(res.status).toBe(415)
    const body = (await res.json()) as any
    expect(body.error.code).toBe('archive_bomb')
    expect(body.error.message).toMatch(/uncompress|expand|ratio|limit/i)
    expect((await t.deps.pool.query('select count(*)::int as n from knowledge_sources')).rows[0].n).toBe(
      before,
    )
  })

  it('stores the file under a generated key, never the client filename', async () => {
    const res = await upload('Opening hours of the Paris shop: 10am to 7pm.', '../../../../etc/passwd')
    expect(res.status).toBe(202)
    const { source } = (await res.json()) as any
    const { rows } = await t.deps.pool.query(
      'select storage_key, title from knowledge_sources where id = $1',
      [source.id],
    )
    expect(rows[0].storage_key).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/)
    expect(rows[0].title).toBe('../../../../etc/passwd') // a label only
  })

  it('refuses uploads over the size limit with 413, and from agents with 403', async () => {
    const small = await createTestApp({ UPLOAD_MAX_BYTES: '2048' })
    try {
      const o = await small.login(OWNER)
      const form = new FormData()
      form.set('file', new Blob(['x'.repeat(5000)]), 'big.txt')
      const res = await small.app.request(`/v1/tenants/${TENANT}/knowledge/documents`, {
        method: 'POST',
        body: form,
        headers: o,
      })
      expect(res.status).toBe(413)
    } finally {
      await small.close()
    }
    const res = await upload('hello there general kenobi', 'a.txt', {}, agent)
    expect(res.status).toBe(403)
  })

  it('retries a failing job with backoff and ends failed with the reason after max attempts', async () => {
    const res = await upload('Returns of sale items are accepted within 14 days.', 'sale.txt')
    const { source } = (await res.json()) as any
    expect((await processed(source.id)).source.status).toBe('ready')
    // The stored file disappears: every attempt of a re-process fails the same way.
    const { rows } = await t.deps.pool.query('select storage_key from knowledge_sources where id = $1', [
      source.id,
    ])
    await t.deps.storage.delete(rows[0].storage_key)
    await t.json('POST', `/v1/tenants/${TENANT}/knowledge/sources/${source.id}/refresh`, {}, owner)
    await t.deps.worker!.drain()
    const job = () =>
      t.deps.pool.query(
        `select status, attempts, run_at > now() as later, last_error from knowledge_jobs where source_id = $1 and status <> 'done'`,
        [source.id],
      )
    expect((await job()).rows[0]).toMatchObject({ status: 'pending', attempts: 1, later: true })
    expect((await processed(source.id)).source.error).toMatch(/retrying/)
    for (let i = 0; i < 5; i++) {
      await t.deps.pool.query(
        `update knowledge_jobs set run_at = now() where source_id = $1 and status = 'pending'`,
        [source.id],
      )
      await t.deps.worker!.drain()
    }
    expect((await job()).rows[0]).toMatchObject({ status: 'failed', attempts: 4 })
    const src = (await processed(source.id)).source
    expect(src.status).toBe('failed')
    expect(src.error).toBeTruthy()
    expect(src.error).not.toMatch(/retrying/)
  })

  it('picks up a job whose worker died mid-way once its lease expires', async () => {
    const res = await upload('Click and collect orders wait 10 days in the shop.', 'collect.txt')
    const { source } = (await res.json()) as any
    await processed(source.id)
    // A job claimed an hour ago by a process that no longer exists.
    await t.deps.pool.query(
      `insert into knowledge_jobs (tenant_id, source_id, kind, status, attempts, locked_at, locked_by)
       values ($1, $2, 'process', 'processing', 1, now() - interval '1 hour', 'dead')`,
      [TENANT, source.id],
    )
    const done = await processed(source.id)
    expect(done.source.status).toBe('ready')
    expect(done.jobs[0]).toMatchObject({ status: 'done', attempts: 2 })
  })

  it('deleting a source removes its passages from search', async () => {
    const res = await upload('The zebra-striped umbrella is sold out until spring.', 'umbrella.txt')
    const { source } = (await res.json()) as any
    await processed(source.id)
    expect((await search('zebra striped umbrella')).passages[0].source.id).toBe(source.id)
    expect(
      (await t.json('DELETE', `/v1/tenants/${TENANT}/knowledge/sources/${source.id}`, undefined, owner))
        .status,
    ).toBe(204)
    expect((await search('zebra striped umbrella')).passages.map((p: any) => p.source.id)).not.toContain(
      source.id,
    )
  })
})

describe('websites', () => {
  let site: Server
  let base: string
  const pages: Record<string, string> = {}
  const page = (title: string, body: string, links: string[] = []) =>
    `<!doctype html><html><head><title>${title}</title></head><body><nav>Menu</nav><h1>${title}</h1><p>${body}</p>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}</body></html>`

  beforeAll(async () => {
    site = createServer((req, res) => {
      const path = req.url ?? '/'
      if (path === '/robots.txt')
        return res
          .writeHead(200, { 'content-type': 'text/plain' })
          .end(`User-agent: *\nDisallow: /private\nSitemap: ${base}/sitemap.xml`)
      if (path === '/sitemap.xml') {
        return res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(
            `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/</loc></url><url><loc>${base}/shipping</loc></url></urlset>`,
          )
      }
      if (path === '/old-returns') return res.writeHead(301, { location: '/returns' }).end()
      const html = pages[path]
      if (!html) return res.writeHead(404).end('not found')
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    })
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    pages['/'] = page('Home', 'Welcome to the shop.', [
      '/shipping',
      '/old-returns',
      '/private/admin',
      'http://10.0.0.1/internal',
      '/gone',
    ])
    pages['/shipping'] = page(
      'Shipping to Belgium',
      'Parcels to Belgium arrive in 3 to 5 business days with Bpost.',
    )
    pages['/returns'] = page(
      'Returns for marketplace items',
      'Marketplace items are returned to the seller directly, within 15 days.',
    )
    pages['/private/admin'] = page('Admin', 'secret admin page')
    pages['/gone'] = page('Discontinued', 'The velvet hat line is discontinued.')
  })
  afterAll(() => new Promise<void>((r) => site.close(() => r())))

  it('crawls within the site: sitemap, links, redirects; robots.txt and private addresses refused; then answers cite the page', async () => {
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/knowledge/websites`,
      { url: base + '/', crawl_frequency: 'weekly' },
      owner,
    )
    expect(res.status).toBe(202)
    const { source } = (await res.json()) as any
    const done = await processed(source.id)
    expect(done.source.status).toBe('ready')
    const urls = done.pages.map((p: any) => p.url)
    expect(urls).toEqual(expect.arrayContaining([`${base}/`, `${base}/shipping`]))
    expect(urls.some((u: string) => u.includes('/private'))).toBe(false)
    expect(urls.some((u: string) => u.includes('10.0.0.1'))).toBe(false)
    expect(JSON.stringify(done.source.skipped)).toMatch(/10\.0\.0\.1/)
    expect(done.source.next_crawl_at).toBeTruthy()
    const found = await search('how long does shipping to Belgium take')
    expect(found.passages[0].source.url).toBe(`${base}/shipping`)
    expect(found.passages[0].text).not.toContain('Menu')
  })

  it('a second crawl re-embeds only changed pages and removes pages that are gone', async () => {
    const { rows } = await t.deps.pool.query(
      `select id from knowledge_sources where kind = 'website' and tenant_id = $1`,
      [TENANT],
    )
    const id = rows[0].id
    const chunkIds = async (url: string) =>
      (
        await t.deps.pool.query(
          'select c.id from knowledge_chunks c join website_pages p on p.id = c.page_id where p.source_id = $1 and p.url = $2 order by c.id',
          [id, url],
        )
      ).rows.map((r) => r.id)
    const homeBefore = await chunkIds(`${base}/`)
    const shippingBefore = await chunkIds(`${base}/shipping`)
    pages['/shipping'] = page(
      'Shipping to Belgium',
      'Parcels to Belgium now arrive in 2 business days with DHL.',
    )
    delete pages['/gone']
    await t.json('POST', `/v1/tenants/${TENANT}/knowledge/sources/${id}/refresh`, {}, owner)
    const done = await processed(id)
    expect(done.jobs[0].result).toMatchObject({ changed: 1, removed: 1 })
    const after = (
      await t.deps.pool.query('select url, status from website_pages where source_id = $1', [id])
    ).rows
    expect(after.find((p) => p.url === `${base}/gone`)?.status).toBe('removed')
    // The unchanged page keeps its passages (not re-embedded); the changed one has new ones.
    expect(await chunkIds(`${base}/`)).toEqual(homeBefore)
    expect(await chunkIds(`${base}/shipping`)).not.toEqual(shippingBefore)
    expect((await search('velvet hat discontinued')).passages.map((p: any) => p.source.url)).not.toContain(
      `${base}/gone`,
    )
    expect((await search('Belgium DHL')).passages[0].text).toContain('DHL')
  })

  it('refuses a website URL that is not http(s) or points at a private address', async () => {
    for (const url of [
      'ftp://example.com/',
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/',
      'javascript:alert(1)',
    ]) {
      const res = await t.json('POST', `/v1/tenants/${TENANT}/knowledge/websites`, { url }, owner)
      expect(res.status, url).toBe(400)
      expect(((await res.json()) as any).error.message).toMatch(/^url: /)
    }
  })
})

describe('retrieval testing', () => {
  it('returns ranked passages with source, scores and confidence; global knowledge included, other tenants excluded', async () => {
    const other = '00000000-0000-4000-8000-00000000ff02'
    await t.deps.pool.query(`insert into tenants (id, name, slug) values ($1, 'Rival', 'rival-k')`, [other])
    await t.deps.pool.query(
      `with s as (insert into knowledge_sources (tenant_id, kind, title, body) values ($1, 'faq', 'Rival secret', 'Our rival secret discount code is PURPLE42.') returning id, tenant_id)
       insert into knowledge_chunks (tenant_id, source_id, title, content) select tenant_id, id, 'Rival secret', 'Our rival secret discount code is PURPLE42.' from s`,
      [other],
    )
    await t.deps.pool.query(
      `with s as (insert into knowledge_sources (tenant_id, kind, title, body) values (null, 'faq', 'Data protection', 'Personal data is processed under the GDPR and never sold.') returning id)
       insert into knowledge_chunks (tenant_id, source_id, title, content) select null, id, 'Data protection', 'Personal data is processed under the GDPR and never sold.' from s`,
    )
    await t.deps.worker!.drain()
    const gdpr = await search('is my personal data sold? GDPR')
    expect(gdpr.passages[0].text).toContain('GDPR')
    expect(gdpr.passages[0]).toMatchObject({
      rank: 1,
      scores: expect.objectContaining({ fused: expect.any(Number) }),
    })
    expect(gdpr.passages[0].confidence).toBeGreaterThan(0.3)
    const secret = await search('rival secret discount code PURPLE42', 10)
    expect(secret.passages.map((p: any) => p.text).join(' ')).not.toContain('PURPLE42')
  })

  it("matches a passage by its own language's stem: a French 'vélo' does not find the brand Vela", async () => {
    // Spanish and Italian stem "vélo" to `vel`, the French stem of "Vela": a French question about a
    // bike must not count five passages about Vela watches as holding its word.
    await withPassages(
      'fr',
      [1, 2, 3, 4, 5, 6].map((g) =>
        g === 4
          ? [
              'Votre vélo',
              'Pour la réparation de votre vélo, déposez-le dans un atelier partenaire ; comptez une semaine.',
            ]
          : [
              `Montre Vela ${g}`,
              'Réparation de la Vela : déposez la Vela en boutique, chaque Vela est garantie deux ans.',
            ],
      ),
      async () => {
        const question = 'Où réparer mon vélo ?'
        const text = await t.deps.pool.query(
          `select c.content, r.coverage from search_chunks_text($1, null, $2, 20, 'fr') r join knowledge_chunks c on c.id = r.chunk_id`,
          [TENANT, question],
        )
        // The Vela passages hold "réparation", not "vélo": half the question.
        expect(text.rows.map((r) => [r.content.slice(0, 20), r.coverage])).toEqual([
          ['Pour la réparation d', 1],
          ...Array(5).fill(['Réparation de la Vel', 0.5]),
        ])
        const found = await search(question)
        expect(found.passages[0].text).toContain('votre vélo')
        // Asked in Spanish, the French passages are still matched through any language's stems.
        expect((await search('¿Dónde reparar la Vela?')).passages[0].text).toContain('la Vela')
      },
    )
  })

  it('ranks the passage holding the words as written above passages sharing only their stem', async () => {
    // Italian stems the brand "Solano" and "solito" (usually) both to `sol`: six "di solito" passages
    // hold every stem of the question, the one about the Solano holds its words.
    await withPassages(
      'it',
      [1, 2, 3, 4, 5, 6, 7].map((g) =>
        g === 3
          ? ['Macchine da caffè', 'La consegna della macchina Solano costa 9 euro.']
          : [
              `Consegna e costi ${g}`,
              `Di solito la consegna costa 5 euro e di solito arriva in ${g} giorni.`,
            ],
      ),
      async () => {
        expect((await search('Quanto costa la consegna della Solano?')).passages[0].text).toContain('Solano')
      },
    )
  })

  it('finds a passage holding all but the rarest of the common words of a question', async () => {
    // "exchange", "blender" and "colour" each appear in more passages than full text reads per word, and
    // no passage holds all three: the one answer naming both the blender and its colours must still be
    // a candidate, not only the passages holding the rarest word.
    await withPassages(
      'en',
      Array.from({ length: 380 }, (_, i): [string, string] => {
        const g = i + 1
        const content =
          g === 1
            ? 'The Lumen blender comes in three colours: red, sand and slate.'
            : g <= 121
              ? `Exchange rule ${g}: an exchange is free within 30 days for unused items.`
              : g <= 251
                ? `Blender ${g} has a 1.5 litre jug and six speeds.`
                : `Colour chart ${g}: every colour is shown on screen as close as possible.`
        return [`Page ${g}`, content]
      }),
      async () => {
        const question = 'Can I exchange my blender for another colour?'
        const text = await t.deps.pool.query(
          `select c.content from search_chunks_text($1, null, $2, 20, 'en') r join knowledge_chunks c on c.id = r.chunk_id`,
          [TENANT, question],
        )
        expect(text.rows[0].content).toContain('three colours')
        expect((await search(question)).passages[0].text).toContain('three colours')
      },
    )
  })

  it('ranks by full text the passage the vector search found though it lacks two of the common words', async () => {
    // Each of the question's four words is in more passages than full text reads per word, so they are
    // AND-ed (all four, then any three, then the two rarest): the passage about the kettle lid holds
    // only the two most common and is no full-text candidate. The vector search finds it, and full text
    // ranks it with the rest: it says "kettle" and "lid" most, in a short passage, under that title.
    await withPassages(
      'en',
      Array.from({ length: 266 }, (_, i): [string, string] =>
        i === 0
          ? ['Kettle lid', 'A spare lid for the kettle: the kettle lid is sold alone and fits every kettle.']
          : i <= 85
            ? [
                `Rule ${i}`,
                `Rule ${i}: an exchange under warranty is handled by the shop within 30 days of delivery.`,
              ]
            : i <= 180
              ? [`Kettle ${i}`, `Kettle ${i} boils 1.7 litres in three minutes.`]
              : [`Jar ${i}`, `Jar ${i} has a lid that seals tight.`],
      ),
      async (source) => {
        const question = 'Exchange under warranty for a kettle lid?'
        const text = await t.deps.pool.query(
          `select c.title from search_chunks_text($1, null, $2, 20, 'en') r join knowledge_chunks c on c.id = r.chunk_id`,
          [TENANT, question],
        )
        expect(text.rows.map((r) => r.title)).not.toContain('Kettle lid')
        const [first] = (await search(question)).passages
        expect(first.source.title).toBe('Kettle lid')
        expect(first.scores.text_rank).toBeGreaterThan(0)
        expect(first.scores.coverage).toBe(0.5)
        // The ranking of given passages answers within the tenant only: another tenant's ids get nothing.
        const ids = (
          await t.deps.pool.query(`select id from knowledge_chunks where source_id = $1`, [source])
        ).rows
        const scored = `select count(*)::int as n from score_chunks_text($1, null, $2, $3::uuid[], 'en')`
        const args = (tenant: string) => [tenant, question, ids.map((r) => r.id)]
        expect((await t.deps.pool.query(scored, args(TENANT))).rows[0].n).toBe(200)
        expect(
          (await t.deps.pool.query(scored, args('00000000-0000-4000-8000-0000000000ff'))).rows[0].n,
        ).toBe(0)
      },
      { embed: true },
    )
  })

  it('finds the passage naming what was asked among hundreds repeating the common words', async () => {
    // 300 passages about returns and refunds, one about the Zephyr kettle: a question about the kettle
    // must not drown in the passages that say "return" most often.
    await withPassages(
      'en',
      Array.from({ length: 300 }, (_, i): [string, string] => [
        `Returns ${i + 1}`,
        i + 1 === 150
          ? 'The Zephyr kettle can be returned within 60 days; its return label is free.'
          : `Return policy ${i + 1}: return the item, print the return label, the return is refunded after the return arrives. Return shipping is paid.`,
      ]),
      async () => {
        const text = await t.deps.pool.query(
          `select c.content from search_chunks_text($1, null, $2, 20) r join knowledge_chunks c on c.id = r.chunk_id`,
          [TENANT, 'How do I return the Zephyr kettle?'],
        )
        expect(text.rows.length).toBeGreaterThan(0)
        expect(text.rows[0].content).toContain('Zephyr')
        const found = await search('How do I return the Zephyr kettle?')
        expect(found.passages[0].text).toContain('Zephyr')
        // Only stop words, or nothing searchable at all: an answer, not an error.
        await search('how do I do it?')
        await search('?! …')
        // Quotes, backslashes, tsquery syntax, paths, URLs, other scripts: searched as words, never parsed as syntax.
        for (const q of [
          "o'neil@shop.com return",
          'C:\\Users\\kettle.txt',
          "'; drop table x; -- Zephyr",
          '!(a|b)&c:* kettle',
          'https://shop.example/a?b=1&c=2',
          '配送にはどのくらい時間がかかりますか',
        ])
          await search(q)
        expect((await search("l'étiquette du Zephyr kettle")).passages[0].text).toContain('Zephyr')
      },
    )
  })

  it('says nothing useful is known with a low confidence for an unrelated question', async () => {
    const res = await search('quantum chromodynamics lattice gauge')
    expect(Math.max(0, ...res.passages.map((p: any) => p.confidence))).toBeLessThan(0.3)
  })

  it('is for members only', async () => {
    const res = await t.json('POST', `/v1/tenants/${TENANT}/knowledge/search`, { query: 'x' })
    expect(res.status).toBe(401)
  })
})
