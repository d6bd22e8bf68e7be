/** The guard refused a URL or an address; nothing was sent to it. */
export class FetchBlocked extends Error {
  readonly code = 'fetch_blocked'
  constructor(
    message: string,
    /** The URL that was refused, when there was one. */
    readonly url?: string,
  ) {
    super(message)
    this.name = 'FetchBlocked'
  }
}

/** Why an allowed fetch still failed. */
type FetchFailure = 'timeout' | 'too_large' | 'too_many_redirects' | 'network' | 'bad_response' | 'aborted'

/** An allowed fetch that did not produce a usable response. */
export class FetchFailed extends Error {
  readonly code = 'fetch_failed'
  constructor(
    readonly reason: FetchFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'FetchFailed'
  }
}
