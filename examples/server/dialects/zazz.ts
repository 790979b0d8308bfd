import { zazz, type ZazzOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

const EXAMPLE_CLIENT_SECRET = 'changeit'
const EXAMPLE_PASSWORD = '123'

/**
 * Zazz under /zazz: token-generator owns POST /api/v1/token at the root.
 * `signingSecret` (ZAZZ_SIGNING_SECRET) sets the HS256 key (default: generated and sealed in the store);
 * ZAZZ_CLIENT_SECRET_<N> (or POLYTOKEN_ZAZZ__CLIENTS__<N>__SECRET) replaces the secret of clients[N]. Add users with
 * `polytoken users add zazz NAME` (docs/cli.md; the password from standard input).
 */
const mount: MountDialect = ({ config: section, exampleSecret, baseUrl }) => {
  const config = section as Section<ZazzOptions, { signingSecret?: string }>
  const clients = config.clients ?? []
  clients.forEach((client, index) => {
    if (client.secret === EXAMPLE_CLIENT_SECRET) exampleSecret(`zazz.clients[${index}].secret (ZAZZ_CLIENT_SECRET_${index})`)
  })
  const users = config.users ?? []
  users.forEach((user, index) => {
    if (user.password === EXAMPLE_PASSWORD) exampleSecret(`zazz.users[${index}].password (the document's example user)`)
  })
  const prefix = config.prefix ?? '/zazz'
  const { prefix: _prefix, clients: _clients, users: _users, enabled: _enabled, signingSecret, ...rest } = config
  const legacy = clients.find((client) => client.secret === undefined && client.secretSha256 === undefined)
  return {
    prefix,
    dialect: zazz({
      ...rest,
      clients,
      users,
      photoBaseUrl: config.photoBaseUrl ?? baseUrl,
      ...(signingSecret ? { keys: [{ secret: signingSecret }] } : {}),
    }),
    notes: legacy ? [`try: curl -s -X POST ${baseUrl}${prefix}/api/v1/token -H 'Authorization: Basic ${legacy.id}' -d grant_type=password -d username=soroush -d password=123 -d scope=full`] : [],
  }
}
export default mount
