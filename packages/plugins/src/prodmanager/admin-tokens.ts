import type { AdminTokens, DialectServices } from '@polytoken/core'
import type { Records, TokenRecord } from './records.js'
import { findRecord, revokeToken } from './revoke-token.js'

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString()

/** One row of `polytoken tokens list prodmanager`: the record's metadata, never the token. */
function row(record: TokenRecord) {
  return {
    id: record.jti,
    subject: record.description,
    client: record.name,
    scope: record.permissions.join(' '),
    issued: iso(record.iat),
    notBefore: iso(record.nbf),
    expires: iso(record.exp),
    revoked: record.revoked,
  }
}

/**
 * The records GET /token/list serves, for the CLI. A listing walks the namespace (store.entries); records live only
 * until their token expires, so it holds the tokens that can still be used and no more.
 */
export function createAdminTokens(records: Records, services: Pick<DialectServices, 'cache' | 'events'>): AdminTokens {
  return {
    list: async () => (await records.list()).map(row),
    async revoke(id) {
      const record = await findRecord(records, id)
      // A revoked record is no grant any more: revoking it again answers "no such token", as an unknown id does.
      if (!record || record.revoked) return false
      await revokeToken(records, services, record, 'admin')
      return true
    },
  }
}
