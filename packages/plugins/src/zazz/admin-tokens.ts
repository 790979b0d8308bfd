import type { AdminRow, AdminTokens, DialectServices, Store } from '@polytoken/core'
import { LIVE } from './refresh-keys.js'
import type { RefreshRecord, RefreshTokens } from './refresh-tokens.js'
import type { ZazzUsers } from './users.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** A login family as its live refresh token(s) show it; with a grace period two may be live for a moment. */
interface Family {
  latest: RefreshRecord
  /** Store keys of its live refresh tokens (rt:<fingerprint>). */
  keys: string[]
}

/**
 * Login families for `polytoken tokens list|revoke zazz`: one row per family (one password grant and the refresh
 * tokens rotated from it), named by its family id, the `fam` claim of its access tokens — never a token.
 *
 * No index of families is kept: a listing, and the lookup of a family to revoke, walk the live refresh tokens with
 * store.entries, which visits the whole namespace on every backend (docs/writing-a-dialect.md). An operator's
 * command, not a per-request path.
 */
export function createAdminTokens(store: Store, refresh: RefreshTokens, users: ZazzUsers, services: Pick<DialectServices, 'cache' | 'events' | 'clock'>, absoluteMs: number): AdminTokens {
  async function liveFamilies(only?: string): Promise<Map<string, Family>> {
    const families = new Map<string, Family>()
    const now = services.clock()
    for await (const [key, record] of store.entries<RefreshRecord>(LIVE)) {
      if (record.expiresAt <= now || (only !== undefined && record.family !== only)) continue
      const family = families.get(record.family)
      if (!family) families.set(record.family, { latest: record, keys: [key] })
      else {
        family.keys.push(key)
        if (record.issuedAt > family.latest.issuedAt) family.latest = record
      }
    }
    // A family revoked (reuse detected, or revoked before) may still have a live record until it idles out: not a grant.
    for (const id of families.keys()) if (await refresh.isFamilyRevoked(id)) families.delete(id)
    return families
  }

  return {
    async list() {
      const families = [...(await liveFamilies()).values()].sort((a, b) => a.latest.familyExpiresAt - b.latest.familyExpiresAt)
      const names = new Map<number, string | undefined>()
      for (const { latest } of families) if (!names.has(latest.userId)) names.set(latest.userId, (await users.get(latest.userId))?.username)
      return families.map(({ latest }): AdminRow => ({
        id: latest.family,
        subject: names.get(latest.userId) ?? null,
        userId: latest.userId,
        client: latest.client,
        scope: latest.scope.join(' '),
        // The family's start is not stored; it is its absolute end less the absolute lifetime.
        issued: iso(latest.familyExpiresAt - absoluteMs),
        refreshed: iso(latest.issuedAt),
        expires: iso(latest.expiresAt),
        familyExpires: iso(latest.familyExpiresAt),
      }))
    },
    async revoke(id) {
      // Compared for equality with stored family ids only: no text of the caller's becomes a key or a pattern.
      const family = (await liveFamilies(id)).get(id)
      if (!family) return false
      // The mark first: from then on every refresh of the family and every access token of it is refused (running
      // instances read the mark on their next refresh, and for access tokens once their cache entry lapses).
      await refresh.revokeFamily(id, family.latest.familyExpiresAt)
      for (const key of family.keys) await store.delete(key)
      services.cache.revoke(id)
      services.events.revoked({ jti: id, subject: family.latest.userId, clientId: family.latest.client, tokenType: 'refresh', reason: 'admin' })
      return true
    },
  }
}
