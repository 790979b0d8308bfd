import { ConfigInvalid, RequestInvalid, type AdminRow, type AdminUsers, type Store } from '@polytoken/core'
import type { ZazzUserOptions } from './options.js'
import { normalizeUsername, type UserRecord, type ZazzUsers } from './users.js'

/**
 * `polytoken users … zazz`: the store users of the directory, next to the configured ones. Configured users are
 * written into the store at every start (configuration wins), so the CLI refuses to add, change or remove one: the
 * next start would undo it in silence. Their names are compared normalised, as logins are.
 */
export function createZazzAdminUsers(store: Store, users: ZazzUsers, configured: readonly ZazzUserOptions[]): AdminUsers {
  const fromConfig = new Set(configured.map((user) => normalizeUsername(user.username)))
  const refuseConfigured = (username: string) => {
    if (fromConfig.has(normalizeUsername(username))) {
      throw new RequestInvalid(`zazz user "${username}" is configured (zazz.users in the config file): change it there`)
    }
  }
  const find = async (username: string): Promise<UserRecord | undefined> => {
    const userId = await store.get<number>(`login:${normalizeUsername(username)}`)
    return userId === undefined ? undefined : users.get(userId)
  }
  const existing = async (username: string): Promise<UserRecord> => {
    refuseConfigured(username)
    const record = await find(username)
    if (!record) throw new RequestInvalid(`no zazz user "${username}"`)
    return record
  }

  return {
    async list() {
      const rows: AdminRow[] = []
      for await (const [, record] of store.entries<UserRecord>('user:')) {
        // What a listing may show: never the hash or the login epoch.
        rows.push({
          username: record.username,
          userId: record.userId,
          source: fromConfig.has(normalizeUsername(record.username)) ? 'config' : 'store',
          accountType: record.accountType,
          isConfirmed: record.isConfirmed,
          displayName: record.displayName ?? null,
        })
      }
      return rows.sort((a, b) => Number(a.userId) - Number(b.userId))
    },
    async add(username, password) {
      refuseConfigured(username)
      try {
        await users.add({ username, password })
      } catch (error) {
        // The directory speaks configuration (a seeded user); here the refusal is about the operator's input.
        if (error instanceof ConfigInvalid) throw new RequestInvalid(`zazz: ${error.message}`)
        throw error
      }
    },
    async passwd(username, password) {
      const record = await existing(username)
      // A new password ends every login of the user (refresh families and access tokens).
      if (!(await users.setPassword(record.userId, password))) throw new RequestInvalid(`no zazz user "${username}"`)
    },
    async remove(username) {
      refuseConfigured(username)
      const record = await find(username)
      return record === undefined ? false : users.remove(record.userId)
    },
  }
}
