/**
 * Where a link in a bot answer may point (api/src/answers/links.ts on the server, the widget's
 * markdown renderer in the browser): only http(s) to the tenant's own domains (GET /v1/widget/config
 * `link_domains`), or mailto to an address at one of them. A listed domain covers its subdomains
 * (example.com allows help.example.com) but not look-alikes (evilexample.com, example.com.evil.net);
 * an IP literal matches only itself. Both sides parse with the WHATWG URL parser, as browsers do, so
 * backslashes, uppercase, punycode, trailing dots and percent-escapes in hosts are read alike.
 */

/** True when `host` is one of `domains` or a subdomain of one (hosts compared lowercase, without a trailing dot). */
export function hostAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  // A URL's host ending in ".<IP literal>" does not parse, so an IP matches only itself.
  return domains.some((d) => h === d || h.endsWith('.' + d))
}

/**
 * The URL's href when it may be a link: absolute http(s) without user info (`https://example.com@evil.net`
 * is evil.net), or mailto when `mailto` is set; to one of `domains` when given (any host otherwise).
 * Null for everything else (relative, protocol-relative, javascript:, data:, malformed).
 */
export function linkHref(
  url: string | null | undefined,
  domains?: readonly string[] | null,
  mailto?: boolean,
): string | null {
  let u: URL
  try {
    u = new URL(url!)
  } catch {
    return null
  }
  const p = u.protocol
  const host =
    p === 'mailto:' && mailto
      ? /@([^@]+)$/.exec(u.pathname)?.[1]
      : (p === 'https:' || p === 'http:') && !u.username && !u.password
        ? u.hostname
        : null
  return host != null && (!domains || hostAllowed(host, domains)) ? u.href : null
}
