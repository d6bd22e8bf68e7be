import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import { hashPassword } from '../../api/src/auth/passwords'
import { AGENT, DEMO_ORIGIN, OWNER, TENANT, type TestApp } from '../helpers/app'

/**
 * Shared set-up of the security tests: a second tenant "B", built through the API like a real
 * customer would (its users inserted into auth.users as supabase/seed.sql does: there is no sign-up
 * route), with every kind of row that an id-taking route can name, and markers that must never
 * appear in a response to anyone outside B.
 */

export const B_ORIGIN = 'http://rival.test'
export const PASSWORD = 'correct horse battery staple'

/** Inserts a console user the way supabase/seed.sql does (scrypt hash in auth.users). */
export async function makeUser(t: TestApp, label: string) {
  const id = randomUUID()
  const email = `${label}-${id.slice(0, 8)}@rival.test`
  await t.deps.pool.query(
    `insert into auth.users (id, email, encrypted_password, raw_user_meta_data) values ($1, $2, $3, $4)`,
    [id, email, await hashPassword(PASSWORD), { name: label }],
  )
  return { id, email, password: PASSWORD }
}

export async function ok(res: Response, status = 200): Promise<any> {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  return text ? JSON.parse(text) : null
}

export async function upload(
  t: TestApp,
  tenant: string,
  headers: Record<string, string>,
  body: string,
  filename: string,
) {
  const form = new FormData()
  form.set('file', new Blob([body]), filename)
  return t.app.request(`/v1/tenants/${tenant}/knowledge/documents`, { method: 'POST', body: form, headers })
}

/**
 * A tenant secret key with the admin scope. Tolerant: when the api-keys route fails, the fixture gets
 * a random id and no key (the matrix still runs; tenant-isolation's fixture check reports the failure).
 */
async function secretKey(t: TestApp, tenant: string, owner: Record<string, string>, name: string) {
  const res = await t.json('POST', `/v1/tenants/${tenant}/api-keys`, { name, scopes: ['admin'] }, owner)
  if (res.status !== 201) return { api_key: { id: randomUUID() }, secret: '' }
  return (await res.json()) as { api_key: { id: string }; secret: string }
}

/** A pending invitation and a prompt version, made through the API (random ids if the routes fail). */
async function teamAndPrompts(
  t: TestApp,
  tenant: string,
  bot: string,
  owner: Record<string, string>,
  tag: string,
) {
  const inv = await t.json(
    'POST',
    `/v1/tenants/${tenant}/invitations`,
    { email: `${tag.toLowerCase()}-invitee-${randomUUID().slice(0, 6)}@rival.test`, role: 'agent' },
    owner,
  )
  const prompt = await t.json(
    'POST',
    `/v1/bots/${bot}/prompts`,
    {
      prompt_type: 'principal',
      content: `${tag}SECRETPROMPT${randomUUID().slice(0, 6)}`.toUpperCase(),
      activate: true,
    },
    owner,
  )
  const invBody = inv.status === 201 ? ((await inv.json()) as any) : null
  const promptBody = prompt.status === 201 ? ((await prompt.json()) as any) : null
  return {
    invitation: (invBody?.invitation.id as string) ?? randomUUID(),
    prompt: (promptBody?.prompt.id as string) ?? randomUUID(),
    secrets: [
      ...(invBody
        ? [
            invBody.invitation.email as string,
            new URL(invBody.accept_url.replace('#/', '')).searchParams.get('token')!,
          ]
        : []),
      ...(promptBody ? [promptBody.prompt.content as string] : []),
    ],
  }
}

/**
 * An applied improvement of the tenant's bot answer, an answer test and a model version, made through
 * the API (random ids if the routes fail: the control test then reports it).
 */
async function feedbackLoop(
  t: TestApp,
  tenant: string,
  bot: string,
  owner: Record<string, string>,
  aiMessage: string,
  tag: string,
) {
  const improved = `${tag}SECRETIMPROVED${randomUUID().slice(0, 6)}`.toUpperCase()
  const question = `${tag}SECRETTESTQ${randomUUID().slice(0, 6)}`.toUpperCase()
  const created = await t.json(
    'POST',
    `/v1/tenants/${tenant}/improvements`,
    { message_id: aiMessage, improved_response: `${improved} is the better answer.` },
    owner,
  )
  const improvement = created.status === 201 ? ((await created.json()) as any).improvement.id : randomUUID()
  await t.json('PATCH', `/v1/tenants/${tenant}/improvements/${improvement}`, { status: 'applied' }, owner)
  const test = await t.json(
    'POST',
    `/v1/bots/${bot}/answer-tests`,
    { question, expect: { declines: true } },
    owner,
  )
  const model = await t.json(
    'POST',
    `/v1/tenants/${tenant}/model-versions`,
    {
      model_name: `${tag.toLowerCase()}-ft-${randomUUID().slice(0, 6)}`,
      base_model: 'gpt-4o-mini',
      version: '1',
    },
    owner,
  )
  return {
    improvement: improvement as string,
    answerTest: test.status === 201 ? (((await test.json()) as any).test.id as string) : randomUUID(),
    modelVersion:
      model.status === 201 ? (((await model.json()) as any).model_version.id as string) : randomUUID(),
    secrets: [improved, question],
  }
}

/** Everything one tenant owns that a route can name by id. */
export interface TenantFixture {
  tenant: string
  owner: Record<string, string>
  agent: Record<string, string>
  ownerId: string
  agentId: string
  bot: string
  pk: string
  origin: string
  faq: string
  source: string
  rule: string
  canned: string
  /** A pending invitation and a prompt version of the bot. */
  invitation: string
  prompt: string
  /** A tenant secret key (admin scope) and its id. */
  apiKey: string
  apiKeyAuth: Record<string, string>
  session: string
  sessionToken: string
  aiMessage: string
  /** A second visitor of the same widget. */
  session2: string
  session2Token: string
  /** A WhatsApp channel account, with the app secret and verify token its webhook answers to. */
  channel: string
  channelAppSecret: string
  channelVerifyToken: string
  /** A contact (a verified customer) and the shop's number of their order. */
  contact: string
  order: string
  /** An applied improvement, an answer test of the bot and a model version. */
  improvement: string
  answerTest: string
  modelVersion: string
  /** Strings that only this tenant's members may ever read. */
  secrets: string[]
}

/** A WhatsApp channel (no platform call on creation), its secrets marked as the tenant's. */
async function channelOf(
  t: TestApp,
  tenant: string,
  owner: Record<string, string>,
  bot: string,
  tag: string,
) {
  const digits = () => String(Math.floor(Math.random() * 1e12)).padStart(12, '1')
  const body = {
    platform: 'whatsapp',
    bot_id: bot,
    account_id: digits(),
    business_account_id: digits(),
    access_token: `${tag}SECRETCHANNELTOKEN${randomUUID().slice(0, 8)}`,
    app_secret: `${tag}SECRETAPP${randomUUID().slice(0, 8)}`,
    verify_token: `${tag}SECRETVERIFY${randomUUID().slice(0, 8)}`,
  }
  const { channel } = await ok(await t.json('POST', `/v1/tenants/${tenant}/channels`, body, owner), 201)
  return {
    channel: channel.id as string,
    channelAppSecret: body.app_secret,
    channelVerifyToken: body.verify_token,
    secrets: [body.access_token, body.app_secret, body.verify_token],
  }
}

/** A customer's order pushed by the shop, which makes its contact; both marked as the tenant's. */
async function orderOf(t: TestApp, tenant: string, owner: Record<string, string>, tag: string) {
  const name = `${tag}SECRETCUSTOMER${randomUUID().slice(0, 6)}`.toUpperCase()
  const order = `${tag}-ORDER-${randomUUID().slice(0, 8)}`
  const res = await t.json(
    'PUT',
    `/v1/tenants/${tenant}/orders/${order}`,
    {
      contact: { user_id: `${tag}-cust-${randomUUID().slice(0, 6)}`, name },
      status: `${tag}SECRETSTATUS`,
      items: [{ name: `${tag}SECRETITEM`, quantity: 1, unit_price: 5 }],
    },
    owner,
  )
  const body = res.status === 201 ? ((await res.json()) as any) : null
  return {
    order,
    contact: (body?.order.contact_id as string) ?? randomUUID(),
    // The order number is not among them: it is a name any tenant may give its own order too.
    secrets: [name, `${tag}SECRETSTATUS`, `${tag}SECRETITEM`],
  }
}

/** Today's topics of a tenant (its visitors' messages as samples): the topics routes have rows to leak. */
async function topicsOfToday(t: TestApp, tenant: string) {
  if (!t.deps.analytics) return
  t.deps.analytics.requestTopics(tenant, new Date().toISOString().slice(0, 10))
  await t.deps.analytics.drain()
}

/** Tenant B: a new owner creates it through POST /v1/tenants and fills it through the API. */
export async function createTenantB(t: TestApp, tag = 'B'): Promise<TenantFixture> {
  const S = (what: string) => `${tag}SECRET${what}${randomUUID().slice(0, 6)}`.toUpperCase()
  const secret = {
    tenantName: S('TENANT'),
    bot: S('BOT'),
    faqQ: `${S('FAQQ')} zebrafinch warranty`,
    faqA: `${S('FAQA')} zebrafinch warranty lasts forever`,
    doc: `${S('DOC')} quokkaphone manual covers the quokkaphone battery`,
    rule: S('RULE'),
    canned: S('CANNED'),
    msg: `${S('MSG')} zebrafinch warranty question`,
    reply: S('AGENTREPLY'),
    note: S('PRIVATENOTE'),
  }
  const ownerUser = await makeUser(t, `${tag.toLowerCase()}owner`)
  const agentUser = await makeUser(t, `${tag.toLowerCase()}agent`)
  const login = async (u: { email: string; password: string }) => {
    const { access_token } = await ok(
      await t.json('POST', '/v1/auth/login', { email: u.email, password: u.password }),
    )
    return { authorization: `Bearer ${access_token}` }
  }
  const owner = await login(ownerUser)
  const slug = `${tag.toLowerCase()}-${randomUUID().slice(0, 8)}`
  const { tenant } = await ok(
    await t.json('POST', '/v1/tenants', { name: secret.tenantName, slug }, owner),
    201,
  )
  // There is no invitation route yet: the agent joins the way the seed adds one.
  await t.deps.pool.query(
    `insert into tenant_members (tenant_id, user_id, role, display_name, availability) values ($1, $2, 'agent', $3, 'online')`,
    [tenant.id, agentUser.id, `${tag} agent`],
  )
  const agent = await login(agentUser)
  const T = tenant.id as string
  const { bot } = await ok(
    await t.json('POST', `/v1/tenants/${T}/bots`, { name: secret.bot, persona: 'helpful' }, owner),
    201,
  )
  const { widget } = await ok(
    await t.json('PATCH', `/v1/bots/${bot.id}/widget`, { allowed_origins: [B_ORIGIN] }, owner),
  )
  const { faq } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${T}/knowledge/faqs`,
      { question: secret.faqQ, answer: secret.faqA, language: 'en' },
      owner,
    ),
    201,
  )
  const { source } = await ok(
    await upload(t, T, owner, `${secret.doc}.\n\nThe quokkaphone battery lasts two days.`, 'quokka.txt'),
    202,
  )
  await t.deps.worker!.drain()
  const { rule } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${T}/escalation-rules`,
      { name: secret.rule, trigger_keywords: ['kumquatrefund'] },
      owner,
    ),
    201,
  )
  const { canned_reply } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${T}/canned-replies`,
      { shortcut: 'bsecret', title: 'B canned', content: secret.canned },
      owner,
    ),
    201,
  )
  const key = await secretKey(t, T, owner, `${tag} key`)
  const extra = await teamAndPrompts(t, T, bot.id, owner, tag)
  const ch = await channelOf(t, T, owner, bot.id, tag)
  const shop = await orderOf(t, T, owner, tag)

  const newVisitor = async () => {
    const created = await ok(
      await t.json(
        'POST',
        '/v1/sessions',
        { key: widget.publishable_key, visitor_id: `${tag}-visitor-${randomUUID().slice(0, 6)}` },
        { origin: B_ORIGIN },
      ),
      201,
    )
    return { id: created.session.id as string, token: created.token as string }
  }
  const v1 = await newVisitor()
  const v2 = await newVisitor()
  const vAuth = { authorization: `Bearer ${v1.token}`, origin: B_ORIGIN }
  const sent = await ok(
    await t.json(
      'POST',
      `/v1/sessions/${v1.id}/messages`,
      { content: secret.msg, client_message_id: 'm1' },
      vAuth,
    ),
  )
  expect(sent.reply?.message_type).toBe('ai')
  await ok(await t.json('POST', `/v1/sessions/${v1.id}/escalate`, { reason: 'please' }, vAuth))
  await ok(
    await t.json('POST', `/v1/tenants/${T}/sessions/${v1.id}/messages`, { content: secret.reply }, agent),
    201,
  )
  await ok(
    await t.json(
      'POST',
      `/v1/tenants/${T}/sessions/${v1.id}/messages`,
      { content: secret.note, private: true },
      agent,
    ),
    201,
  )
  await ok(
    await t.json(
      'POST',
      `/v1/sessions/${v2.id}/messages`,
      { content: secret.msg, client_message_id: 'm1' },
      { authorization: `Bearer ${v2.token}` },
    ),
  )

  const loop = await feedbackLoop(t, T, bot.id, owner, sent.reply.id, tag)
  await topicsOfToday(t, T)

  return {
    tenant: T,
    owner,
    agent,
    ownerId: ownerUser.id,
    agentId: agentUser.id,
    bot: bot.id,
    pk: widget.publishable_key,
    origin: B_ORIGIN,
    faq: faq.id,
    source: source.id,
    rule: rule.id,
    canned: canned_reply.id,
    invitation: extra.invitation,
    prompt: extra.prompt,
    apiKey: key.api_key.id,
    apiKeyAuth: key.secret ? { authorization: `Bearer ${key.secret}` } : {},
    session: v1.id,
    sessionToken: v1.token,
    aiMessage: sent.reply.id,
    session2: v2.id,
    session2Token: v2.token,
    channel: ch.channel,
    channelAppSecret: ch.channelAppSecret,
    channelVerifyToken: ch.channelVerifyToken,
    contact: shop.contact,
    order: shop.order,
    improvement: loop.improvement,
    answerTest: loop.answerTest,
    modelVersion: loop.modelVersion,
    secrets: [
      ...extra.secrets,
      ...ch.secrets,
      ...shop.secrets,
      ...loop.secrets,
      ...Object.values(secret).map((s) => s.split(' ')[0]!),
      slug,
      widget.publishable_key,
      v1.token,
      v2.token,
      ...(key.secret ? [key.secret] : []),
    ],
  }
}

/** The demo tenant ("A"), with the same kinds of rows as B, created through the API. */
export async function tenantA(t: TestApp): Promise<TenantFixture> {
  const owner = await t.login(OWNER)
  const agent = await t.login(AGENT)
  const S = (what: string) => `ASECRET${what}${randomUUID().slice(0, 6)}`
  const secret = {
    faqA: S('FAQA'),
    rule: S('RULE'),
    canned: S('CANNED'),
    msg: S('MSG'),
    reply: S('AGENTREPLY'),
  }
  const ids = (
    await t.deps.pool.query(
      `select id from auth.users where email in ('owner@demo.local', 'agent@demo.local') order by email desc`,
    )
  ).rows
  const bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0]
    .id
  const { faq } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${TENANT}/knowledge/faqs`,
      { question: 'A private question', answer: `${secret.faqA} pelican`, language: 'en' },
      owner,
    ),
    201,
  )
  const { source } = await ok(
    await upload(t, TENANT, owner, `${S('DOC')} pelican handbook.`, 'pelican.txt'),
    202,
  )
  await t.deps.worker!.drain()
  const { rule } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${TENANT}/escalation-rules`,
      { name: secret.rule, trigger_keywords: ['pelicanrefund'] },
      owner,
    ),
    201,
  )
  const { canned_reply } = await ok(
    await t.json(
      'POST',
      `/v1/tenants/${TENANT}/canned-replies`,
      { shortcut: `a${randomUUID().slice(0, 6)}`, title: 'A canned', content: secret.canned },
      owner,
    ),
    201,
  )
  const key = await secretKey(t, TENANT, owner, 'A key')
  const extra = await teamAndPrompts(t, TENANT, bot, owner, 'A')
  const ch = await channelOf(t, TENANT, owner, bot, 'A')
  const shop = await orderOf(t, TENANT, owner, 'A')
  const newVisitor = async () => {
    const created = await ok(
      await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, { origin: DEMO_ORIGIN }),
      201,
    )
    return { id: created.session.id as string, token: created.token as string }
  }
  const v1 = await newVisitor()
  const v2 = await newVisitor()
  const sent = await ok(
    await t.json(
      'POST',
      `/v1/sessions/${v1.id}/messages`,
      { content: `${secret.msg} Combien coûte la livraison ?`, client_message_id: 'm1' },
      { authorization: `Bearer ${v1.token}` },
    ),
  )
  await ok(
    await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v1.id}/messages`,
      { content: secret.reply },
      agent,
    ),
    201,
  )
  const loop = await feedbackLoop(t, TENANT, bot, owner, sent.reply.id, 'A')
  await topicsOfToday(t, TENANT)

  return {
    tenant: TENANT,
    owner,
    agent,
    ownerId: ids[0].id,
    agentId: ids[1].id,
    bot,
    pk: 'pk_demo',
    origin: DEMO_ORIGIN,
    faq: faq.id,
    source: source.id,
    rule: rule.id,
    canned: canned_reply.id,
    invitation: extra.invitation,
    prompt: extra.prompt,
    apiKey: key.api_key.id,
    apiKeyAuth: key.secret ? { authorization: `Bearer ${key.secret}` } : {},
    session: v1.id,
    sessionToken: v1.token,
    aiMessage: sent.reply.id,
    session2: v2.id,
    session2Token: v2.token,
    channel: ch.channel,
    channelAppSecret: ch.channelAppSecret,
    channelVerifyToken: ch.channelVerifyToken,
    contact: shop.contact,
    order: shop.order,
    improvement: loop.improvement,
    answerTest: loop.answerTest,
    modelVersion: loop.modelVersion,
    secrets: [
      ...extra.secrets,
      ...ch.secrets,
      ...shop.secrets,
      ...loop.secrets,
      ...Object.values(secret),
      v1.token,
      v2.token,
      ...(key.secret ? [key.secret] : []),
    ],
  }
}

/** Asserts a response is a refusal and carries none of the given strings. */
export async function expectRefused(
  res: Response,
  secrets: string[],
  allowed: number[] = [401, 403, 404],
  label = '',
) {
  const type = res.headers.get('content-type') ?? ''
  // A stream that opened would hang a text() read: cancel it, it is a failure anyway.
  const body = type.includes('event-stream')
    ? (await res.body?.cancel(), '<event stream opened>')
    : await res.text()
  expect(allowed, `${label} -> ${res.status} ${body.slice(0, 300)}`).toContain(res.status)
  for (const s of secrets) expect(body, `${label} leaked ${s}`).not.toContain(s)
}
