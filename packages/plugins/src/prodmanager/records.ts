import type { Store } from '@polytoken/core'

/** What is kept of an issued token: metadata only, never the token itself. */
export interface TokenRecord {
  jti: string
  name: string
  description: string
  permissions: string[]
  /** Epoch seconds, as in the token. */
  nbf: number
  exp: number
  iat: number
  revoked: boolean
}

const RECORD = 'token:'
const REVOKED = 'revoked:'

/** Records live until their token expires; nothing is kept about tokens that can no longer be used. */
export function createRecords(store: Store, clock: () => number) {
  const ttlUntil = (exp: number) => Math.max(1000, exp * 1000 - clock())
  return {
    save: (record: TokenRecord) => store.set(RECORD + record.jti, record, ttlUntil(record.exp)),
    get: (jti: string) => store.get<TokenRecord>(RECORD + jti),
    async list(): Promise<TokenRecord[]> {
      const records: TokenRecord[] = []
      for await (const [, record] of store.entries<TokenRecord>(RECORD)) records.push(record)
      return records.sort((a, b) => a.iat - b.iat || a.jti.localeCompare(b.jti))
    },
    isRevoked: async (jti: string) => (await store.get<true>(REVOKED + jti)) === true,
    async revoke(record: TokenRecord): Promise<void> {
      // The revocation mark is written first: once it exists the token is dead, whatever happens next.
      await store.set(REVOKED + record.jti, true, ttlUntil(record.exp))
      await store.set(RECORD + record.jti, { ...record, revoked: true }, ttlUntil(record.exp))
    },
  }
}

export type Records = ReturnType<typeof createRecords>
