import { ConfigInvalid, RequestInvalid, type AdminRow, type AdminUsers } from '@polytoken/core'
import type { CrewUsers } from './users.js'

/**
 * `polytoken users … crew`: the users kept in the store, next to the configured ones. A configured user is found
 * first at login, so a store user of the same name would never be used: the CLI refuses to make one, and refuses to
 * change or remove a configured user (the configuration file is where it lives).
 */
export function createCrewAdminUsers(stored: CrewUsers, configured: readonly string[]): AdminUsers {
  const fromConfig = new Set(configured)
  const refuseConfigured = (name: string) => {
    if (fromConfig.has(name)) throw new RequestInvalid(`crew user "${name}" is configured (crew.users in the config file): change it there`)
  }
  // The store speaks configuration (ConfigInvalid); here the refusal is about the operator's input.
  const asInput = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (error) {
      if (error instanceof ConfigInvalid) throw new RequestInvalid(error.message)
      throw error
    }
  }

  return {
    async list() {
      const rows: AdminRow[] = [...fromConfig].map((username) => ({ username, source: 'config', note: null }))
      for await (const username of stored.names()) {
        // Left from before the name was configured: listed, so an operator sees it and can remove it.
        rows.push({ username, source: 'store', note: fromConfig.has(username) ? 'shadowed by the configured user' : null })
      }
      return rows.sort((a, b) => String(a.username).localeCompare(String(b.username)) || String(a.source).localeCompare(String(b.source)))
    },
    async add(name, password) {
      refuseConfigured(name)
      if (!(await asInput(() => stored.create(name, password)))) throw new RequestInvalid(`crew user "${name}" already exists`)
    },
    async passwd(name, password) {
      refuseConfigured(name)
      if (!(await asInput(() => stored.setPassword(name, password)))) throw new RequestInvalid(`no crew user "${name}"`)
    },
    async remove(name) {
      // A shadowed store record may go: that is how an operator clears it.
      if (fromConfig.has(name) && !(await stored.exists(name))) refuseConfigured(name)
      return stored.remove(name)
    },
  }
}
