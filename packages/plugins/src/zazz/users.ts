import { ConfigInvalid, decoyPasswordHash, hashPassword, randomString, verifyPassword, type PasswordHashOptions, type Store } from '@polytoken/core'
import { DEFAULT_PASSWORD_HASH, type AccountType, type PhotoLinks, type ZazzUserOptions } from './options.js'

/** What the store keeps of a user: the password only as an scrypt hash with its own salt. */
export interface UserRecord {
  userId: number
  username: string
  passwordHash: string
  accountType: AccountType
  isConfirmed: boolean
  displayName?: string
  photo?: PhotoLinks
  /**
   * The user's login epoch: random, made with the user and made anew when the
   * password changes or the logins are ended. Every token carries it, and a
   * token whose epoch is not the user's current one is refused, so a password
   * change ends every login, and a user deleted and re-created under the same
   * userId does not inherit the old one's tokens. Absent on records from
   * before it existed (their tokens carry none, and still match).
   */
  epoch?: string
}

/** A new login epoch: never reused, so no earlier token can match it. */
const newEpoch = () => randomString(16)

/** A user to add: the same shape as a user seeded from configuration. */
export type NewUser = ZazzUserOptions

const USER = 'user:'
const LOGIN = 'login:'
const SEQUENCE = 'seq:user'
// A counter "window" long enough to never end: ids are allocated for good.
const FOREVER_MS = 100 * 365 * 86_400_000
// eslint-disable-next-line no-control-regex -- control characters are exactly what a user name may not contain
const USERNAME = /^[^\u0000-\u001f\u007f]{1,128}$/

/** Logins are case-insensitive and compatibility-normalised, so `Soroush` and `soroush` are one account. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase()
}

export interface ZazzUsersOptions {
  /** scrypt cost of new hashes. Default N=2^14, r=8, p=5. */
  passwordHash?: PasswordHashOptions
  /** Called when a user's logins were ended (password change, removal, endLogins): drops what this instance cached of them. */
  onLoginsEnded?: (userId: number) => void
}

/**
 * The user directory in the zazz namespace of the store. The examples
 * server and the add-user command both use it, so they agree on the format.
 */
export function createZazzUsers(store: Store, options: ZazzUsersOptions = {}) {
  const cost = { ...DEFAULT_PASSWORD_HASH, ...options.passwordHash }
  // A decoy at our own cost: an unknown user costs exactly one scrypt of the same parameters.
  const decoyHash = () => decoyPasswordHash(cost)

  const get = (userId: number) => store.get<UserRecord>(USER + userId)

  async function allocateId(): Promise<number> {
    for (;;) {
      const id = await store.increment(SEQUENCE, FOREVER_MS)
      if ((await store.get(USER + id)) === undefined) return id
    }
  }

  /** Create a user, or with `update` change an existing one. Returns the stored record. */
  async function add(input: NewUser, { update = false, retry = true } = {}): Promise<UserRecord> {
    if (typeof input.username !== 'string' || !USERNAME.test(input.username)) throw new ConfigInvalid('username: 1-128 printable characters')
    if ((input.password === undefined) === (input.passwordHash === undefined)) throw new ConfigInvalid('give exactly one of password, passwordHash')
    if (input.password !== undefined && input.password.length === 0) throw new ConfigInvalid('password: must not be empty')
    if (input.passwordHash !== undefined && !input.passwordHash.startsWith('scrypt$')) throw new ConfigInvalid('passwordHash: must be an scrypt hash from hashPassword')
    if (input.accountType !== undefined && input.accountType !== 'User' && input.accountType !== 'Club') throw new ConfigInvalid('accountType: User or Club')
    if (input.userId !== undefined && (!Number.isSafeInteger(input.userId) || input.userId <= 0)) throw new ConfigInvalid('userId: a positive integer')
    const login = LOGIN + normalizeUsername(input.username)
    const existingId = await store.get<number>(login)
    const existing = existingId === undefined ? undefined : await get(existingId)
    if (existing && !update) throw new ConfigInvalid(`username "${input.username}" already exists (use update)`)

    let passwordHash = input.passwordHash
    if (input.password !== undefined) {
      // Keep a matching hash: re-hashing on every start would churn salts for nothing.
      passwordHash = existing && (await verifyPassword(input.password, existing.passwordHash)) ? existing.passwordHash : await hashPassword(input.password, cost)
    }
    // A new password ends the user's logins; the same one (configuration seeded again at start-up) keeps them.
    const epoch = existing && existing.passwordHash === passwordHash ? existing.epoch : newEpoch()
    const record: UserRecord = {
      userId: existing?.userId ?? input.userId ?? 0,
      username: input.username,
      passwordHash: passwordHash!,
      accountType: input.accountType ?? existing?.accountType ?? 'User',
      isConfirmed: input.isConfirmed ?? existing?.isConfirmed ?? false,
    }
    const displayName = input.displayName ?? existing?.displayName
    if (displayName !== undefined) record.displayName = displayName
    const photo = input.photo ?? existing?.photo
    if (photo !== undefined) record.photo = photo
    if (epoch !== undefined) record.epoch = epoch

    if (existing) {
      await store.set(USER + record.userId, record)
      if (epoch !== existing.epoch) options.onLoginsEnded?.(record.userId)
      return record
    }
    if (record.userId === 0) record.userId = await allocateId()
    const sameUserRace = async () => {
      // Several instances seeding the same configured user at once: the first one wins, the rest update it.
      if (update && retry) return add(input, { update, retry: false })
      return undefined
    }
    if (!(await store.add(USER + record.userId, record))) {
      // Another instance seeding the same configured user (same fixed userId) may hold the record
      // without having written the login yet: that is this user, not a clash.
      const holder = await get(record.userId)
      if (update && holder && normalizeUsername(holder.username) === normalizeUsername(input.username)) {
        if (!(await store.add(login, record.userId)) && (await store.get<number>(login)) !== record.userId) {
          throw new ConfigInvalid(`username "${input.username}" already exists`)
        }
        await store.set(USER + record.userId, record)
        return record
      }
      const again = await sameUserRace()
      if (again) return again
      throw new ConfigInvalid(`userId ${record.userId} is taken`)
    }
    if (!(await store.add(login, record.userId))) {
      // Another instance seeding this same user wrote the login first, pointing at this very record.
      if ((await store.get<number>(login)) === record.userId) return record
      await store.delete(USER + record.userId)
      const again = await sameUserRace()
      if (again) return again
      throw new ConfigInvalid(`username "${input.username}" already exists`)
    }
    return record
  }

  /**
   * The user when the password is right, otherwise undefined. An unknown
   * user costs the same store reads and one scrypt of the same cost as a
   * known one, so neither the answer nor its time tells them apart.
   * `verify` runs the hash (the login route passes the one of its hashing slot).
   */
  async function verifyLogin(username: string, password: string, verify = verifyPassword): Promise<UserRecord | undefined> {
    const userId = await store.get<number>(LOGIN + normalizeUsername(username))
    const record = await store.get<UserRecord>(USER + (userId ?? 'none'))
    const ok = await verify(password, record?.passwordHash ?? (await decoyHash()))
    if (!ok || !record) return undefined
    if (!hasCost(record.passwordHash, cost)) {
      // The configured cost went up since this hash was made: upgrade it now that we hold the password.
      await store.set(USER + record.userId, { ...record, passwordHash: await hashPassword(password, cost) })
    }
    return record
  }

  /** Write `record` with a new epoch: every token issued before is refused from now on. */
  async function withNewEpoch(record: UserRecord): Promise<UserRecord> {
    const next = { ...record, epoch: newEpoch() }
    await store.set(USER + record.userId, next)
    options.onLoginsEnded?.(record.userId)
    return next
  }

  /** Change a user's password; ends every login of the user (refresh families and access tokens). Undefined when there is no such user. */
  async function setPassword(userId: number, password: string): Promise<UserRecord | undefined> {
    if (typeof password !== 'string' || password.length === 0) throw new ConfigInvalid('password: must not be empty')
    const record = await get(userId)
    if (!record) return undefined
    return withNewEpoch({ ...record, passwordHash: await hashPassword(password, cost) })
  }

  /** End every login of a user without changing anything else (a lost device, a suspected theft). False when there is no such user. */
  async function endLogins(userId: number): Promise<boolean> {
    const record = await get(userId)
    if (!record) return false
    await withNewEpoch(record)
    return true
  }

  /**
   * Remove a user: the record and the username go, and so do the logins. A
   * user created later under the same userId or username gets a new epoch,
   * so none of this user's tokens ever works for it. False when there is no such user.
   */
  async function remove(userId: number): Promise<boolean> {
    const record = await get(userId)
    if (!record) return false
    const login = LOGIN + normalizeUsername(record.username)
    await store.delete(USER + userId)
    if ((await store.get<number>(login)) === userId) await store.delete(login)
    options.onLoginsEnded?.(userId)
    return true
  }

  return { add, get, verifyLogin, setPassword, endLogins, remove, warm: () => decoyHash().then(() => undefined) }
}

export type ZazzUsers = ReturnType<typeof createZazzUsers>

function hasCost(encoded: string, cost: Required<PasswordHashOptions>): boolean {
  const [, N, r, p] = encoded.split('$')
  return Number(N) === cost.N && Number(r) === cost.r && Number(p) === cost.p
}
