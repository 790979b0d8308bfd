import type { AdminTokens, DialectServices } from '@polytoken/core'
import type { RefreshTokens } from './refresh-tokens.js'

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Refresh (offline) tokens for `polytoken tokens list|revoke crew`, named by their fingerprint (SHA-256, base64url:
 * the key they are stored under). A revoked token is deleted: the next refresh with it on any instance is refused,
 * since every refresh reads the store. Access tokens are the registry's to check and live tokenLifetimeSec.
 */
export function createAdminTokens(refresh: RefreshTokens, services: Pick<DialectServices, 'events'>): AdminTokens {
  return {
    list: async () =>
      (await refresh.list()).map(({ fingerprint, record }) => ({
        id: fingerprint,
        subject: record.account,
        client: record.clientId ?? null,
        service: record.service,
        issued: iso(record.issuedAt),
        expires: iso(record.expiresAt),
      })),
    async revoke(id) {
      const revoked = await refresh.revokeByFingerprint(id)
      if (revoked) services.events.revoked({ tokenType: 'refresh', reason: 'admin' })
      return revoked
    },
  }
}
