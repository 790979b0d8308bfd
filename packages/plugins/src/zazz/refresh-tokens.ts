import { RequestInvalid, TokenExpired, TokenRevoked, fingerprint, randomString, type Clock, type Store } from '@polytoken/core'
import { oauth } from './envelope.js'
import { createRefreshGrace } from './refresh-grace.js'
import { ISSUED, LIVE } from './refresh-keys.js'

/** A live refresh token, stored under its fingerprint: the token itself is never kept. */
export interface RefreshRecord {
  family: string
  userId: number
  /** client_id it was issued to. */
  client: string
  scope: string[]
  /** What the user granted at the password grant: a refresh may ask again for any of it (RFC 6749 §6). Absent on older records: `scope`. */
  grantedScope?: string[]
  /** The user's login epoch when the family began (users.ts): a password change since then ends the family. */
  epoch?: string
  /** Epoch ms: this token's idle end, and the whole family's absolute end. */
  expiresAt: number
  familyExpiresAt: number
  issuedAt: number
}

/** Kept for every token ever issued, until its family ends: how a replayed, retired token is recognised. */
interface IssuedMark {
  family: string
  client: string
  familyExpiresAt: number
  /** Epoch ms: the token's own idle end. Absent on older marks. */
  expiresAt?: number
  /** Set once the token was exchanged: only then is presenting it again a reuse rather than a late, expired token. */
  used?: true
}

const FAMILY_REVOKED = 'family-revoked:'
const JTI_REVOKED = 'jti-revoked:'

export interface RefreshTokenOptions {
  idleMs: number
  absoluteMs: number
  /** How long an access token of a family can outlive the family's last refresh. */
  accessTtlMs: number
  /** The reuse grace period (refresh-grace.ts); 0 or absent: off, every reuse revokes the family. */
  reuseGraceMs?: number
}

/**
 * Refresh tokens with rotation and reuse detection (RFC 9700 §4.14.2). Each
 * token is consumed with store.take, so of two concurrent refreshes exactly
 * one gets it; presenting a token that was issued but is no longer live
 * revokes its whole family, because either the client or a thief is
 * replaying it and the server cannot tell which.
 */
export function createRefreshTokens(store: Store, clock: Clock, options: RefreshTokenOptions) {
  const familyRevokedTtl = (familyExpiresAt: number) => Math.max(1000, familyExpiresAt + options.accessTtlMs - clock())

  /** `token`: the successor a consume with the grace period already claimed; otherwise a new one. */
  async function issue(grant: {
    userId: number
    client: string
    scope: string[]
    grantedScope?: string[]
    epoch?: string | undefined
    family?: string
    familyExpiresAt?: number
    token?: string
  }): Promise<{ token: string; record: RefreshRecord }> {
    const now = clock()
    const familyExpiresAt = grant.familyExpiresAt ?? now + options.absoluteMs
    const record: RefreshRecord = {
      family: grant.family ?? randomString(16),
      userId: grant.userId,
      client: grant.client,
      scope: grant.scope,
      grantedScope: grant.grantedScope ?? grant.scope,
      expiresAt: Math.min(now + options.idleMs, familyExpiresAt),
      familyExpiresAt,
      issuedAt: now,
    }
    if (grant.epoch !== undefined) record.epoch = grant.epoch
    const token = grant.token ?? randomString(32)
    const key = fingerprint(token)
    const mark: IssuedMark = { family: record.family, client: record.client, familyExpiresAt, expiresAt: record.expiresAt }
    await Promise.all([store.set(ISSUED + key, mark, Math.max(1, familyExpiresAt - now)), store.set(LIVE + key, record, Math.max(1, record.expiresAt - now))])
    return { token, record }
  }

  async function revokeFamily(family: string, familyExpiresAt: number): Promise<void> {
    // The mark holds when the family was revoked (see consume); any mark means revoked.
    await store.set(FAMILY_REVOKED + family, clock(), familyRevokedTtl(familyExpiresAt))
  }

  const familyRevokedAt = (family: string) => store.get<number | true>(FAMILY_REVOKED + family)
  const isFamilyRevoked = async (family: string) => (await familyRevokedAt(family)) !== undefined
  const revokeAccess = (jti: string, expSec: number) => store.set(JTI_REVOKED + jti, true, Math.max(1000, expSec * 1000 - clock()))

  /** The token was exchanged: from now on, presenting it again is a reuse (see retired). */
  async function markUsed(key: string, record: RefreshRecord): Promise<void> {
    const mark: IssuedMark = { family: record.family, client: record.client, familyExpiresAt: record.familyExpiresAt, expiresAt: record.expiresAt, used: true }
    await store.set(ISSUED + key, mark, Math.max(1, record.familyExpiresAt - clock()))
  }

  /**
   * A token no longer live but once issued: either it outlived its idle time
   * unused (the store dropped it) — expired, the login is not at fault — or it
   * was exchanged and is presented again — a reuse, and the family is revoked.
   */
  async function retired(mark: IssuedMark, onFamilyRevoked: (family: string, reuse?: boolean) => void): Promise<never> {
    if (mark.used !== true && mark.expiresAt !== undefined && clock() >= mark.expiresAt) {
      throw invalidGrant(new TokenExpired('refresh token has expired'))
    }
    await revokeFamily(mark.family, mark.familyExpiresAt)
    onFamilyRevoked(mark.family, true)
    throw invalidGrant(new TokenRevoked('refresh token was already used; every token of this login is now revoked'))
  }

  const grace =
    (options.reuseGraceMs ?? 0) > 0
      ? createRefreshGrace(
          store,
          clock,
          { graceMs: options.reuseGraceMs!, idleMs: options.idleMs, accessTtlMs: options.accessTtlMs },
          {
            revokeFamily,
            familyRevokedAt,
            issuedFamily: (key) => store.get<IssuedMark>(ISSUED + key),
            revokeAccess,
            markUsed,
            retired,
          },
        )
      : undefined

  /**
   * Consume `token` for a refresh by `client`. Returns its record and what
   * `load` made of it (run alongside the family check, to save a round trip),
   * or throws invalid_grant; `onFamilyRevoked` runs when this call revoked a family (`reuse`: because the token was
   * replayed or presented by another client).
   */
  async function consume<T>(
    token: string,
    client: string,
    onFamilyRevoked: (family: string, reuse?: boolean) => void,
    load: (record: RefreshRecord) => Promise<T>,
  ): Promise<{ record: RefreshRecord; loaded: T; successor?: string }> {
    if (grace) return grace.consume(token, client, onFamilyRevoked, load)
    const key = fingerprint(token)
    // Read before the take: a loser of this take can only revoke after it, so after this instant.
    const takeStartedAt = clock()
    const record = await store.take<RefreshRecord>(LIVE + key)
    if (!record) {
      const mark = await store.get<IssuedMark>(ISSUED + key)
      if (mark) return retired(mark, onFamilyRevoked)
      throw invalidGrant(new RequestInvalid('refresh token is invalid or expired', { location: 'body', field: 'refresh_token' }))
    }
    if (record.client !== client) {
      // Another client holding this token means it leaked: end the login rather than hand it back.
      await revokeFamily(record.family, record.familyExpiresAt)
      onFamilyRevoked(record.family, true)
      throw invalidGrant(new RequestInvalid('refresh token was issued to another client', { location: 'body', field: 'refresh_token' }))
    }
    if (clock() >= record.expiresAt) throw invalidGrant(new TokenExpired('refresh token has expired'))
    const [revokedAt, loaded] = await Promise.all([familyRevokedAt(record.family), load(record), markUsed(key, record)])
    // Of N concurrent refreshes with one token, this call won the take; the losers revoke the family as
    // replays, possibly before this read. A revocation stamped after the take began does not refuse the
    // winner (exactly one of N succeeds): the tokens it is handed belong to the revoked family and die on
    // first use, so leaning this way never lets a revoked login go on.
    if (revokedAt !== undefined && (revokedAt === true || revokedAt < takeStartedAt)) throw invalidGrant(new TokenRevoked('refresh token has been revoked'))
    return { record, loaded }
  }

  /** For introspection and revocation: the live record, or the issued mark of a retired one. */
  async function find(token: string): Promise<{ live?: RefreshRecord; issued?: IssuedMark }> {
    const key = fingerprint(token)
    const [live, issued] = await Promise.all([store.get<RefreshRecord>(LIVE + key), store.get<IssuedMark>(ISSUED + key)])
    const found: { live?: RefreshRecord; issued?: IssuedMark } = {}
    if (live && live.expiresAt > clock() && !(grace && (await grace.isClaimed(token)))) found.live = live
    if (issued) found.issued = issued
    return found
  }

  async function revoke(token: string, mark: IssuedMark): Promise<void> {
    await revokeFamily(mark.family, mark.familyExpiresAt)
    await store.delete(LIVE + fingerprint(token))
  }

  /** Put back a token consumed by a request that then failed on its own input (a wider scope): the login survives a bad request. */
  async function restore(token: string, record: RefreshRecord): Promise<void> {
    const key = fingerprint(token)
    const ttl = record.expiresAt - clock()
    if (ttl > 0 && (await store.add(LIVE + key, record, ttl))) {
      // Unused again: should it now idle out, it is expired, not reused.
      const mark: IssuedMark = { family: record.family, client: record.client, familyExpiresAt: record.familyExpiresAt, expiresAt: record.expiresAt }
      await store.set(ISSUED + key, mark, Math.max(1, record.familyExpiresAt - clock()))
    }
    await grace?.release(token)
  }

  /**
   * The access token of a pair made by a refresh is signed. With the grace
   * period, the pair may be superseded by a replay of its predecessor: this
   * records the access token so that replay can revoke it (refresh-grace.ts).
   */
  async function pairIssued(refreshToken: string, access: { jti: string; exp: number }, family: string, onRevoked: (family: string) => void): Promise<void> {
    await grace?.pairIssued(refreshToken, access, family, onRevoked)
  }

  return {
    issue,
    consume,
    restore,
    pairIssued,
    find,
    revoke,
    revokeFamily,
    isFamilyRevoked,
    /** Access tokens: one revoked by its jti, until it would have expired anyway. */
    revokeAccess,
    async isAccessRevoked(jti: string, family: string): Promise<boolean> {
      const [byJti, byFamily] = await Promise.all([store.get<boolean>(JTI_REVOKED + jti), familyRevokedAt(family)])
      return byJti === true || byFamily !== undefined
    },
  }
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>
export type { IssuedMark }

function invalidGrant<E extends RequestInvalid | TokenRevoked | TokenExpired>(error: E): E {
  return oauth('invalid_grant', error)
}
