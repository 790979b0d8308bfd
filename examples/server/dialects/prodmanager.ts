import { prodmanager } from '@polytoken/plugins'
import type { MountDialect } from '../context.js'

const mount: MountDialect = ({ config, env, exampleSecret, baseUrl }) => {
  const secret = env.PRODMANAGER_SECRET ?? config.secret
  if (secret === 'changeit') exampleSecret('prodmanager.secret (PRODMANAGER_SECRET)')
  const prefix = config.prefix ?? '/api'
  return {
    prefix,
    dialect: prodmanager({
      secret,
      issuer: config.issuer,
      permissions: config.permissions,
      ...(env.PRODMANAGER_SIGNING_SECRET ? { keys: [{ secret: env.PRODMANAGER_SIGNING_SECRET }] } : {}),
    }),
    notes: [
      `try: curl -X POST ${baseUrl}${prefix}/token/create -F secret=${secret === 'changeit' ? 'changeit' : '…'} -F name=api-documentation -F 'description=Token for documentation example' -F permission=scope_api`,
    ],
  }
}
export default mount
