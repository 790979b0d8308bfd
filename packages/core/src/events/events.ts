import { EventEmitter } from 'node:events'
import { fingerprint } from '../util/secrets.js'

/** One token's lifecycle step. Identifiers and fingerprints only: never a token, password, secret or key. */
export interface TokenEvent {
  dialect: string
  /** The route pattern as mounted (`POST /zazz/api/v1/token`); absent when no request route emitted it. */
  route?: string
  /** The token's id: its jti, or the dialect's public id of it (a refresh token family, a registry token id). */
  jti?: string
  clientId?: string
  /** fingerprint() (SHA-256, base64url) of the subject: a user is followed across events without being named. */
  subject?: string
  /** `access`, `refresh`, `session`, ...: the dialect's kind of token. */
  tokenType?: string
  /** token.revoked: why (`logout`, `admin`, `reuse`, `password-change`, ...). */
  reason?: string
}

/** A request refused: by its credential (auth.failed, 401) or by the login throttle (login.throttled, 429). */
export interface RefusalEvent {
  dialect: string
  route: string
  code: string
  durationMs: number
}

/** One answered request of a dialect route (every status): what request metrics and access logs read. */
export interface RequestEvent {
  dialect: string
  route: string
  method: string
  status: number
  /** The error's stable code; absent on success. */
  code?: string
  durationMs: number
}

/** One store operation (store.operation), or the store going down (store.unavailable) and coming back (store.recovered). */
export interface StoreEvent {
  /** The backend's kind: `memory`, `sqlite`, `redis`, `postgres`. */
  backend: string
  /** `get`, `set`, ..., `ping`. */
  operation: string
  /** store.operation: this operation; store.recovered: how long the store was unavailable. */
  durationMs: number
  /** The failure's code (ERR_STORE_UNAVAILABLE); absent when the operation succeeded. */
  code?: string
}

/** router.events: every event name and its payload. */
export interface PolytokenEventMap {
  'token.issued': [TokenEvent]
  'token.refreshed': [TokenEvent]
  'token.revoked': [TokenEvent]
  'token.reuse-detected': [TokenEvent]
  'auth.failed': [RefusalEvent]
  'login.throttled': [RefusalEvent]
  request: [RequestEvent]
  'store.operation': [StoreEvent]
  'store.unavailable': [StoreEvent]
  'store.recovered': [StoreEvent]
}

export type PolytokenEvents = EventEmitter<PolytokenEventMap>
export type PolytokenEventName = keyof PolytokenEventMap

/** What a dialect says about a token; `subject` is the raw user id or name, fingerprinted before it is emitted. */
export type TokenFields = Omit<TokenEvent, 'dialect' | 'subject'> & { subject?: string | number | undefined }

/** services.events: a dialect reports its tokens' lifecycle; core adds the dialect (and the route, on a route's services). */
export interface DialectEvents {
  issued(fields: TokenFields): void
  refreshed(fields: TokenFields): void
  revoked(fields: TokenFields): void
  reuseDetected(fields: TokenFields): void
}

export function createEvents(): PolytokenEvents {
  // Listeners are the host's (metrics, audit logs): a listener that throws must not fail the request that emitted.
  return new EventEmitter<PolytokenEventMap>({ captureRejections: false })
}

/** Nothing is built (no fingerprint, no object) while no one listens. */
export function dialectEvents(events: PolytokenEvents, dialect: string, route?: string): DialectEvents {
  const emitter = (name: 'token.issued' | 'token.refreshed' | 'token.revoked' | 'token.reuse-detected') => (fields: TokenFields) => {
    if (events.listenerCount(name) === 0) return
    const { subject, ...rest } = fields
    const event: TokenEvent = { dialect, ...(route ? { route } : {}), ...rest }
    if (subject !== undefined) event.subject = fingerprint(String(subject))
    emitSafely(events, name, event)
  }
  return { issued: emitter('token.issued'), refreshed: emitter('token.refreshed'), revoked: emitter('token.revoked'), reuseDetected: emitter('token.reuse-detected') }
}

/** Emit; a listener's exception is reported on the emitter's 'error'-free path (process warning) instead of failing the caller. */
export function emitSafely<K extends PolytokenEventName>(events: PolytokenEvents, name: K, ...payload: PolytokenEventMap[K]): void {
  try {
    ;(events.emit as (name: K, ...args: PolytokenEventMap[K]) => boolean)(name, ...payload)
  } catch (error) {
    process.emitWarning(`polytoken: a "${name}" event listener threw: ${String((error as Error)?.message ?? error)}`)
  }
}

/** A request refused by its credential (401, but a mere challenge) or by the login throttle: auth.failed, login.throttled. */
export function reportRefusal(events: PolytokenEvents, dialect: string, route: string, error: { status: number; code: string }, receivedAt: number): void {
  const name = error.code === 'ERR_RATE_LIMITED' ? 'login.throttled' : error.status === 401 && error.code !== 'ERR_AUTH_REQUIRED' ? 'auth.failed' : undefined
  if (name && events.listenerCount(name) > 0) emitSafely(events, name, { dialect, route, code: error.code, durationMs: Date.now() - receivedAt })
}
