import { prodmanager, type ProdManagerOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

const mount: MountDialect = ({ config: section, env, exampleSecret, baseUrl }) => {
  const config = section as Section<ProdManagerOptions>
  const secret = env.PRODMANAGER_SECRET ?? config.secret
  if (secret === 'changeit') exampleSecret('prodmanager.secret (PRODMANAGER_SECRET)')
  const prefix = config.prefix ?? '/api'
  return {
    prefix,
    // Checked by prodmanager(): a missing secret or permissions is its ConfigInvalid.
    dialect: prodmanager({
      secret,
      issuer: config.issuer,
      permissions: config.permissions,
      ...(env.PRODMANAGER_SIGNING_SECRET ? { keys: [{ secret: env.PRODMANAGER_SIGNING_SECRET }] } : {}),
    } as ProdManagerOptions),
    notes: [
      `try: curl -X POST ${baseUrl}${prefix}/token/create -F secret=${secret === 'changeit' ? 'changeit' : '…'} -F name=api-documentation -F 'description=Token for documentation example' -F permission=scope_api`,
    ],
  }
}
export default mount
