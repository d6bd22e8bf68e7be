/** The one guarded outbound client: the address policy, the transport, and their errors. */
export { checkAddress, checkTarget, validateUrl, type GuardLookup } from './address-policy'
export { FetchBlocked, FetchFailed } from './errors'
export { createGuardedFetch, type GuardedFetch, type GuardedResponse } from './guarded-fetch'
