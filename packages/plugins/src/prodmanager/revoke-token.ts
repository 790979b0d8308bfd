import type { DialectServices } from '@polytoken/core'
import type { Records, TokenRecord } from './records.js'

/** A record id is the token's jti: a UUID, compared in lower case. Anything else names no record. */
const JTI = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The record with this jti, or undefined; text that cannot be a jti (a glob, a path, another key's prefix) is never looked up. */
export async function findRecord(records: Records, jti: string): Promise<TokenRecord | undefined> {
  const id = jti.toLowerCase()
  return JTI.test(id) ? records.get(id) : undefined
}

/**
 * Revoke one token, for the revoke route and `polytoken tokens revoke`: the revocation mark in the store (every
 * instance reads it once its verification cache entry lapses, within the cache's maxTtlMs), this instance's cache
 * entry dropped now, and the event.
 */
export async function revokeToken(records: Records, services: Pick<DialectServices, 'cache' | 'events'>, record: TokenRecord, reason: string): Promise<TokenRecord> {
  await records.revoke(record)
  services.cache.revoke(record.jti)
  services.events.revoked({ jti: record.jti, clientId: record.name, tokenType: 'access', reason })
  return { ...record, revoked: true }
}
