/**
 * The one regular-expression engine that runs patterns written by tenants: re2js, a pure-JS port of
 * RE2. It matches in time linear in the input (no backtracking: `(a|a)*b`, `(.|\s)*refund` or
 * `.*.*.*x` cost the same as a literal), refuses what only a backtracking engine can do
 * (back-references, lookaround), and bounds the compiled program's size, which bounds the cost per
 * input character. Built-in patterns (keywords, the human-request phrases) stay V8 RegExps: we wrote them.
 */
import { RE2JS } from 're2js'

/** Largest compiled program accepted: `(.{0,99}){9}` expands to 1,800 instructions and is refused; at 200 the worst pattern costs tens of ms on the longest input. */
export const MAX_PROGRAM_SIZE = 200

/** A compiled tenant pattern. */
export interface LinearRegex {
  /** The matched text, or null. */
  exec(input: string): string | null
  test(input: string): boolean
}

/** JS-style flags ('i', 'u', 's') as re2js flags; 'u' is implied (re2js reads code points). */
function re2Flags(flags: string): number {
  let f = 0
  if (flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE
  if (flags.includes('s')) f |= RE2JS.DOTALL
  return f
}

/** Compiles a tenant pattern; throws Error with a readable message when it is refused. */
export function compileLinear(source: string, flags = ''): LinearRegex {
  let re: RE2JS
  try {
    re = RE2JS.compile(source, re2Flags(flags))
  } catch (err) {
    const message = (err as Error).message.replace(/^error parsing regexp: /, '')
    throw new Error(
      /escape sequence: `\\[1-9k]|named capture: `\(\?<[=!]|`\(\?[=!]/.test(message)
        ? `back-references and lookarounds are not supported (${message})`
        : `not a valid regular expression (${message})`,
    )
  }
  if (re.programSize() > MAX_PROGRAM_SIZE)
    throw new Error(
      `too complex (${re.programSize()} steps per character, at most ${MAX_PROGRAM_SIZE}; use smaller repetition counts)`,
    )
  return {
    exec(input) {
      const m = re.matcher(input)
      return m.find() ? m.group(0) : null
    },
    test: (input) => re.matcher(input).find(),
  }
}

/**
 * A page_url glob ("/checkout*", "https://*.example.com/*"): `*` is any run of characters, the rest
 * literal, the whole URL must match, case-insensitively. Compiled by the same linear engine, so a glob
 * of many stars cannot backtrack either.
 */
export function compileGlob(pattern: string): LinearRegex {
  const source = pattern
    .split('*')
    .map((part) => (part ? RE2JS.quote(part) : ''))
    .join('.*')
  return compileLinear(`^${source}$`, 'is')
}
