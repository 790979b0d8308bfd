import { RequestInvalid, TokenExpired, TokenRevoked, fingerprint, randomString, type Clock, type Store } from '@polytoken/core'
import { oauth } from './envelope.js'
import { LIVE } from './refresh-keys.js'
import type { IssuedMark, RefreshRecord } from './refresh-tokens.js'

/**
 * The refresh-token reuse grace period (ory hydra's, Cognito's, Curity's,
 * django-oauth-toolkit's): a client that presents its just-rotated refresh
 * token again shortly after — its answer was lost, or two of its requests
 * crossed — gets a valid answer instead of losing its whole login.
 *
 * What happened to a token after its first use is written to `NEXT+<fp>` with
 * store.add, before the token leaves the live set: exactly one request claims
 * a token, and a request that loses finds the claim already there.
 *
 * - `rotated`: the token was exchanged; `successor` is the fingerprint of its
 *   replacement. Kept for the grace window only.
 * - `superseded`: a grace replay of the token's predecessor replaced it. Kept
 *   as long as the token could otherwise live: a superseded token is never
 *   valid again, and presenting it revokes the family.
 *
 * A grace replay of N claims N's successor as superseded and issues a fresh
 * pair, so only the most recent pair stays valid. It succeeds only while the
 * successor is unused: once N+1 has been used (claimed `rotated`), N is an
 * older generation and replaying it revokes the family, as does replaying
 * it after the window or from another client.
 */

const NEXT = 'rt-next:'
/** The access token issued with a refresh token: revoked when that pair is superseded. */
const PAIR_ACCESS = 'rt-pair-access:'
/** Claims cross a store round trip: when two grace replays of one token race, the loser looks again this many times. */
const REPLAY_ATTEMPTS = 5
const REPLAY_PAUSE_MS = 20

interface Rotated {
  kind: 'rotated'
  /** The rotated token's own record: what a grace replay issues from. */
  record: RefreshRecord
  successor: string
  /** Epoch ms the window opened: the first rotation. */
  at: number
}

interface Superseded {
  kind: 'superseded'
  family: string
  familyExpiresAt: number
  at: number
}

type Next = Rotated | Superseded

export interface GraceOptions {
  graceMs: number
  idleMs: number
  accessTtlMs: number
}

export interface GraceHelpers {
  revokeFamily(family: string, familyExpiresAt: number): Promise<void>
  familyRevokedAt(family: string): Promise<number | true | undefined>
  issuedFamily(key: string): Promise<IssuedMark | undefined>
  revokeAccess(jti: string, expSec: number): Promise<void>
  /** The token was exchanged: presenting it again later is a reuse, not an expiry. */
  markUsed(key: string, record: RefreshRecord): Promise<void>
  /** Only the issued mark is left: an expired token (invalid_grant, nothing revoked) or a reuse (the family revoked). */
  retired(mark: IssuedMark, evict: (family: string, reuse?: boolean) => void): Promise<never>
}

export interface Consumed<T> {
  record: RefreshRecord
  loaded: T
  /** The token to issue as the successor: its fingerprint is already claimed. */
  successor: string
}

export function createRefreshGrace(store: Store, clock: Clock, options: GraceOptions, helpers: GraceHelpers) {
  const invalid = (message: string) => oauth('invalid_grant', new RequestInvalid(message, { location: 'body', field: 'refresh_token' }))

  async function revoke(family: string, familyExpiresAt: number, evict: (family: string, reuse?: boolean) => void, error: RequestInvalid | TokenRevoked): Promise<never> {
    await helpers.revokeFamily(family, familyExpiresAt)
    evict(family, true)
    throw oauth('invalid_grant', error)
  }
  // Another client holding this token means it leaked: end the login rather than hand it back (as without a grace period).
  const otherClient = () => new RequestInvalid('refresh token was issued to another client', { location: 'body', field: 'refresh_token' })

  async function consume<T>(token: string, client: string, evict: (family: string, reuse?: boolean) => void, load: (record: RefreshRecord) => Promise<T>): Promise<Consumed<T>> {
    const key = fingerprint(token)
    const record = await store.get<RefreshRecord>(LIVE + key)
    if (!record) return afterFirstUse(key, client, evict, load)
    if (record.client !== client) {
      return revoke(record.family, record.familyExpiresAt, evict, otherClient())
    }
    if (clock() >= record.expiresAt) throw oauth('invalid_grant', new TokenExpired('refresh token has expired'))
    const successor = randomString(32)
    const claimStartedAt = clock()
    const claim: Rotated = { kind: 'rotated', record, successor: fingerprint(successor), at: claimStartedAt }
    if (!(await store.add(NEXT + key, claim, options.graceMs))) return afterFirstUse(key, client, evict, load)
    // The claim is ours: the token leaves the live set (take, so a revocation racing it is seen).
    if (!(await store.take(LIVE + key))) throw invalid('refresh token is invalid or expired')
    const [revokedAt, loaded] = await Promise.all([helpers.familyRevokedAt(record.family), load(record), helpers.markUsed(key, record)])
    // As without a grace period: a revocation stamped after the claim began does not refuse its winner.
    if (revokedAt !== undefined && (revokedAt === true || revokedAt < claimStartedAt)) throw oauth('invalid_grant', new TokenRevoked('refresh token has been revoked'))
    return { record, loaded, successor }
  }

  /** The token is no longer live, or another request claimed it first: a grace replay, or a replay to punish. */
  async function afterFirstUse<T>(key: string, client: string, evict: (family: string, reuse?: boolean) => void, load: (record: RefreshRecord) => Promise<T>): Promise<Consumed<T>> {
    for (let attempt = 1; ; attempt++) {
      const next = await store.get<Next>(NEXT + key)
      if (next?.kind !== 'rotated' || clock() >= next.at + options.graceMs) return punish(key, next, evict)
      const { record } = next
      if (record.client !== client) return revoke(record.family, record.familyExpiresAt, evict, otherClient())
      if ((await helpers.familyRevokedAt(record.family)) !== undefined) throw oauth('invalid_grant', new TokenRevoked('refresh token has been revoked'))
      const now = clock()
      if (now >= record.familyExpiresAt) throw oauth('invalid_grant', new TokenExpired('refresh token has expired'))
      const superseded: Superseded = { kind: 'superseded', family: record.family, familyExpiresAt: record.familyExpiresAt, at: now }
      if (await store.add(NEXT + next.successor, superseded, supersededTtl(record, now))) {
        // The successor's pair is dead: its refresh token leaves the live set, its access token is revoked.
        const successor = randomString(32)
        const remaining = next.at + options.graceMs - now
        await Promise.all([
          store.take(LIVE + next.successor),
          revokePairAccess(next.successor, record.family, evict),
          remaining > 0 ? store.set(NEXT + key, { ...next, successor: fingerprint(successor) }, remaining) : undefined,
        ])
        return { record, loaded: await load(record), successor }
      }
      const successorNext = await store.get<Next>(NEXT + next.successor)
      if (successorNext?.kind === 'rotated') {
        // The successor was used: this token is an older generation now, out of grace.
        return revoke(record.family, record.familyExpiresAt, evict, new TokenRevoked('an older refresh token was used again; every token of this login is now revoked'))
      }
      // Another grace replay of this token is replacing the successor; its new claim lands in a moment.
      if (attempt >= REPLAY_ATTEMPTS) throw invalid('refresh token is being refreshed by another request; try again')
      await new Promise((resolve) => setTimeout(resolve, REPLAY_PAUSE_MS))
    }
  }

  /** Replayed outside the grace: superseded, rotated longer ago than the window, or only its issued mark left. */
  async function punish(key: string, next: Next | undefined, evict: (family: string, reuse?: boolean) => void): Promise<never> {
    if (!next) {
      const mark = await helpers.issuedFamily(key)
      if (!mark) throw invalid('refresh token is invalid or expired')
      return helpers.retired(mark, evict)
    }
    const family = next.kind === 'rotated' ? next.record : next
    return revoke(family.family, family.familyExpiresAt, evict, new TokenRevoked('refresh token was already used; every token of this login is now revoked'))
  }

  /** A superseded token must stay refused as long as it could otherwise have lived. */
  function supersededTtl(record: RefreshRecord, now: number): number {
    return Math.max(options.graceMs, Math.min(options.idleMs, record.familyExpiresAt - now) + 60_000)
  }

  async function revokePairAccess(successorKey: string, family: string, evict: (family: string, reuse?: boolean) => void): Promise<void> {
    const access = await store.take<{ jti: string; exp: number }>(PAIR_ACCESS + successorKey)
    if (!access) return
    await helpers.revokeAccess(access.jti, access.exp)
    evict(family)
  }

  /**
   * After the access token of a new pair is signed. Its refresh token may have
   * been superseded while the pair was being made (a grace replay raced this
   * refresh): then this side revokes what it just issued. One of the two sides
   * always sees the other's write, so the superseded pair never survives.
   */
  async function pairIssued(refreshToken: string, access: { jti: string; exp: number }, family: string, evict: (family: string, reuse?: boolean) => void): Promise<void> {
    const key = fingerprint(refreshToken)
    await store.set(PAIR_ACCESS + key, access, options.accessTtlMs + 60_000)
    const next = await store.get<Next>(NEXT + key)
    if (next?.kind !== 'superseded') return
    await Promise.all([store.take(LIVE + key), revokePairAccess(key, family, evict)])
  }

  /** For introspection: a token with a claim on it is no longer live, whatever the live set says. */
  const isClaimed = async (token: string) => (await store.get<Next>(NEXT + fingerprint(token))) !== undefined

  /** A request that consumed `token` failed on its own input: give the token back and lift the claim. */
  async function release(token: string): Promise<void> {
    await store.delete(NEXT + fingerprint(token))
  }

  return { consume, pairIssued, isClaimed, release }
}

export type RefreshGrace = ReturnType<typeof createRefreshGrace>
