import { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger, PolytokenEvents, TokenEvent } from '@polytoken/core'

/**
 * The request being served, for audit lines: a token event is emitted deep in a dialect's handler, which knows no
 * request id. Used only by routers with an audit log (on Node 20 an AsyncLocalStorage in use costs every promise a
 * little, so a router without one never starts it).
 */
const currentRequest = new AsyncLocalStorage<string>()

export function withRequestId<T>(requestId: string, work: () => T): T {
  return currentRequest.run(requestId, work)
}

const AUDITED = [
  ['token.issued', 'issued', 'info'],
  ['token.refreshed', 'refreshed', 'info'],
  ['token.revoked', 'revoked', 'info'],
  ['token.reuse-detected', 'reuse-detected', 'warn'],
] as const

/** One audit line per token issued, refreshed or revoked (a reused refresh token: warn), with the request's id. */
export function subscribeAuditLog(events: PolytokenEvents, logger: Logger): void {
  for (const [name, action, level] of AUDITED) {
    events.on(name, (event: TokenEvent) => logger[level]({ requestId: currentRequest.getStore(), audit: action, ...event }, `token ${action}`))
  }
}
