import { prodmanager, type ProdManagerOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

/** The section: the environment is already applied (PRODMANAGER_SECRET, PRODMANAGER_SIGNING_SECRET and their _FILE; env-overrides.ts). */
const mount: MountDialect = ({ config: section, exampleSecret, baseUrl }) => {
  const config = section as Section<ProdManagerOptions, { signingSecret?: string }>
  const secret = config.secret
  if (secret === 'changeit') exampleSecret('prodmanager.secret (PRODMANAGER_SECRET)')
  const prefix = config.prefix ?? '/api'
  return {
    prefix,
    // Checked by prodmanager(): a missing secret or permissions is its ConfigInvalid.
    dialect: prodmanager({
      secret,
      issuer: config.issuer,
      permissions: config.permissions,
      ...(config.signingSecret ? { keys: [{ secret: config.signingSecret }] } : {}),
    } as ProdManagerOptions),
    notes: [
      `try: curl -X POST ${baseUrl}${prefix}/token/create -F secret=${secret === 'changeit' ? 'changeit' : '…'} -F name=api-documentation -F 'description=Token for documentation example' -F permission=scope_api`,
    ],
  }
}
export default mount
