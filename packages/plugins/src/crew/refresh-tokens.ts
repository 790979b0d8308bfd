import { fingerprint, randomString, type Store } from '@polytoken/core'

/** What the store keeps of a refresh token: who and what for, under its SHA-256 — never the token. */
export interface RefreshRecord {
  account: string
  service: string
  clientId: string | undefined
  /** The account's login epoch at issue (users.ts): a password change since then makes the token refused. */
  epoch?: string
  /** Epoch milliseconds. */
  issuedAt: number
  expiresAt: number
}

const PREFIX = 'refresh:'
const SHAPE = /^[A-Za-z0-9_-]{43}$/

/**
 * Docker clients keep the refresh token as their identity token and send it
 * back for every new access token, so it is not rotated; it lives until it
 * expires or is revoked (revoke route, or revokeAccount below).
 */
export function createRefreshTokens(store: Store, clock: () => number, lifetimeMs: number) {
  return {
    async issue(account: string, service: string, clientId: string | undefined, epoch = ''): Promise<string> {
      const token = randomString(32)
      const now = clock()
      const record: RefreshRecord = { account, service, clientId, epoch, issuedAt: now, expiresAt: now + lifetimeMs }
      await store.set(PREFIX + fingerprint(token), record, lifetimeMs)
      return token
    },
    async find(token: string): Promise<RefreshRecord | undefined> {
      if (!SHAPE.test(token)) return undefined
      const record = await store.get<RefreshRecord>(PREFIX + fingerprint(token))
      return record && record.expiresAt > clock() ? record : undefined
    },
    /** True when a live token was revoked. */
    revoke(token: string): Promise<boolean> {
      if (!SHAPE.test(token)) return Promise.resolve(false)
      return store.delete(PREFIX + fingerprint(token))
    },
    /**
     * Live tokens by fingerprint, for `polytoken tokens list crew` (a scan of the namespace: an operator action, not
     * a hot path). The fingerprint names a token without being one: it cannot be exchanged for anything.
     */
    async list(): Promise<Array<{ fingerprint: string; record: RefreshRecord }>> {
      const live: Array<{ fingerprint: string; record: RefreshRecord }> = []
      const now = clock()
      for await (const [key, record] of store.entries<RefreshRecord>(PREFIX)) if (record.expiresAt > now) live.push({ fingerprint: key.slice(PREFIX.length), record })
      return live.sort((a, b) => a.record.issuedAt - b.record.issuedAt || a.fingerprint.localeCompare(b.fingerprint))
    },
    /** Revoke by fingerprint (the id `list` shows); true when a live token was revoked. Only a fingerprint's shape is looked up. */
    revokeByFingerprint(id: string): Promise<boolean> {
      if (!SHAPE.test(id)) return Promise.resolve(false)
      return store.delete(PREFIX + id)
    },
    /** Revoke every refresh token of an account (a scan of the namespace: an operator action, not a hot path). */
    async revokeAccount(account: string): Promise<number> {
      const doomed: string[] = []
      for await (const [key, record] of store.entries<RefreshRecord>(PREFIX)) if (record.account === account) doomed.push(key)
      let count = 0
      for (const key of doomed) if (await store.delete(key)) count++
      return count
    },
  }
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>
