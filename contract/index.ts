/**
 * The wire contract shared by the api, widget, console, tests and bench. Import the module you need
 * (`contract/sse`, `contract/subscribe`...) where bytes count: each is separate and side-effect free.
 */
export type * from './message'
export type * from './session'
export type * from './rules'
export type * from './widget-config'
export type * from './feedback'
export type * from './knowledge'
export type * from './widget-settings'
export type * from './events'
export { createSseParser, readSse, type SseEvent, type SseParser } from './sse'
export { subscribe, type SubscribeOptions } from './subscribe'
export { createTypingNotifier, type TypingNotifierOptions } from './typing'
