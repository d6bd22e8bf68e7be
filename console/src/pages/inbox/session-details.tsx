import type { ComponentChildren } from 'preact'
import type { CustomerContext, Escalation, ExternalUser, InboxSession as Session } from '../../../../contract'
import { channelName } from '../../components/channel-icon'
import { linkHref } from '../../../../contract/links'
import { fullTime, relativeTime } from '../../time'
import { PriorityBadge } from './priority-badge'
import { RuleTraceView } from '../../components/rule-trace'

export interface SessionDetailsProps {
  session: Session
  escalation: Escalation | null
  id?: string
  /** The tenant's own domains: the visitor's page_url is a link only to one of them. */
  linkDomains?: string[]
}

const ESCALATION_STATUS: Record<string, string> = {
  pending: 'Waiting for an agent',
  in_progress: 'In progress',
  resolved: 'Resolved',
}

/**
 * Only http(s) links are followed, and only to `domains` when given; anything else (javascript:,
 * data:, another site) is shown as plain text.
 */
export function safeUrl(url: unknown, domains?: string[]): string | null {
  return typeof url === 'string' ? linkHref(url, domains) : null
}

/** Visitor-supplied text as shown: bidirectional controls removed, so none can reorder a name. */
function show(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g, '')
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="dl-row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  )
}

const KNOWN = [
  'name',
  'email',
  'locale',
  'page_url',
  'referrer',
  'attributes',
  'verified',
  'identity_verified',
  'user_id',
]

/** Whether the site's server vouched for a value ("verified") or the visitor typed it ("claimed"). */
function Badge({ verified }: { verified: boolean }) {
  return verified ? (
    <span class="badge badge-verified" title="Vouched for by the site's server">
      verified
    </span>
  ) : (
    <span class="badge badge-claimed" title="Typed by the visitor, not verified">
      claimed
    </span>
  )
}

/**
 * The customer context, known fields first, then every other attribute. Everything here is the
 * visitor's word: the page they were on is a link only when it is on one of the tenant's own domains
 * (a visitor with curl can claim any URL), the referrer (another site by nature) never is.
 */
function CustomerRows({ context, domains }: { context: CustomerContext; domains: string[] }) {
  const link = (v: unknown) => {
    const href = safeUrl(v, domains)
    return href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {show(v)}
      </a>
    ) : (
      show(v)
    )
  }
  const extra: [string, unknown][] = [
    ...Object.entries(context).filter(([k]) => !KNOWN.includes(k)),
    ...Object.entries(context.attributes && typeof context.attributes === 'object' ? context.attributes : {}),
  ].filter(([, v]) => v !== null && v !== undefined && v !== '')
  // Only the server writes `verified`; anything else (a top-level identity_verified included) is claimed.
  const verified =
    context.verified && typeof context.verified === 'object'
      ? (context.verified as { user_id?: string; name?: string; email?: string })
      : null
  return (
    <dl class="dl">
      {verified?.user_id && (
        <Row label="User id">
          {show(verified.user_id)} <Badge verified />
        </Row>
      )}
      {verified?.name && (
        <Row label="Name">
          {show(verified.name)} <Badge verified />
        </Row>
      )}
      {context.name && context.name !== verified?.name && (
        <Row label="Name">
          {show(context.name)} <Badge verified={false} />
        </Row>
      )}
      {verified?.email && (
        <Row label="Email">
          {show(verified.email)} <Badge verified />
        </Row>
      )}
      {context.email && context.email !== verified?.email && (
        <Row label="Email">
          {show(context.email)} <Badge verified={false} />
        </Row>
      )}
      {context.locale && <Row label="Language">{show(context.locale)}</Row>}
      {context.page_url && (
        <Row label="Page">
          {context.page_url === 'about:srcdoc' ? 'Widget preview (console)' : link(context.page_url)}
        </Row>
      )}
      {context.referrer && <Row label="Referrer">{show(context.referrer)}</Row>}
      {extra.map(([k, v]) => (
        <Row key={k} label={k}>
          {show(v)}
        </Row>
      ))}
    </dl>
  )
}

/** A messaging platform's user: their name, phone or handle as the platform gave them, and their id there. */
function ExternalUserRows({ channel, user }: { channel: string | undefined; user: ExternalUser }) {
  return (
    <dl class="dl" aria-label={`${channelName(channel)} user`}>
      <Row label="Channel">{channelName(channel)}</Row>
      {user.name && <Row label="Name">{show(user.name)}</Row>}
      {user.phone && <Row label="Phone">{show(user.phone)}</Row>}
      {user.handle && <Row label="Handle">{show(user.handle)}</Row>}
      <Row label={`${channelName(channel)} id`}>{show(user.id)}</Row>
    </dl>
  )
}

/**
 * The side panel of a conversation: why it was escalated (reason, rule, trace), the AI's summary and
 * triage, and who the visitor is.
 */
export function SessionDetails({ session, escalation, id, linkDomains = [] }: SessionDetailsProps) {
  const ai = session.ai_context ?? {}
  const summary = escalation?.ai_summary || ai.summary
  const ext = session.external_user
  // A channel session's context repeats what the platform said (channel, name, phone): shown once, above.
  const context = Object.fromEntries(
    Object.entries(session.customer_context ?? {}).filter(
      ([k, v]) =>
        !ext ||
        !(
          (k === 'channel' && v === session.channel) ||
          (k === 'name' && v === ext.name) ||
          (k === 'phone' && v === ext.phone)
        ),
    ),
  ) as CustomerContext
  const hasContext = Object.values(context).some((v) => v !== null && v !== undefined && v !== '')
  return (
    <aside class="details" id={id} aria-label="Session details">
      {escalation && (
        <section class="card card-escalation" aria-labelledby="details-escalation">
          <h3 id="details-escalation">
            Escalation <PriorityBadge priority={escalation.priority} />
          </h3>
          {escalation.reason && <p class="reason">{escalation.reason}</p>}
          <dl class="dl">
            <Row label="Status">{ESCALATION_STATUS[escalation.status] ?? escalation.status}</Row>
            {escalation.rule_name && <Row label="Rule">{escalation.rule_name}</Row>}
            <Row label="Escalated">
              <time dateTime={escalation.created_at} title={fullTime(escalation.created_at)}>
                {relativeTime(escalation.created_at)}
              </time>
            </Row>
            {escalation.first_response_at && (
              <Row label="First reply">
                <time dateTime={escalation.first_response_at} title={fullTime(escalation.first_response_at)}>
                  {relativeTime(escalation.first_response_at)}
                </time>
              </Row>
            )}
          </dl>
        </section>
      )}
      {(summary || ai.intent || ai.sentiment || ai.language) && (
        <section class="card" aria-labelledby="details-summary">
          <h3 id="details-summary">AI summary</h3>
          {summary && <p class="summary">{summary}</p>}
          <dl class="dl">
            {ai.intent && <Row label="Intent">{ai.intent}</Row>}
            {ai.sentiment && <Row label="Sentiment">{ai.sentiment}</Row>}
            {ai.language && <Row label="Language">{ai.language}</Row>}
          </dl>
        </section>
      )}
      <section class="card" aria-labelledby="details-customer">
        <h3 id="details-customer">Customer</h3>
        {session.external_user && <ExternalUserRows channel={session.channel} user={session.external_user} />}
        {hasContext ? (
          <CustomerRows context={context} domains={linkDomains} />
        ) : (
          !session.external_user && <p class="muted small">Nothing known yet.</p>
        )}
        {session.csat ? (
          <p class="csat">
            Rated <strong>{session.csat}/5</strong>
          </p>
        ) : null}
      </section>
      {escalation?.trace && (
        <section class="card" aria-labelledby="details-trace">
          <h3 id="details-trace">Why it escalated</h3>
          <RuleTraceView trace={escalation.trace} />
        </section>
      )}
    </aside>
  )
}
