import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createPublicKey } from 'node:crypto'
import { exportBrowserIdPublicKey, type TrustedIssuer } from '@polytoken/browserid'
import { sagrada, type SagradaOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

const EXAMPLE_SECRET = 'example-node-secret-change-me-0123456789'
const EXAMPLE_ISSUER_KEY = 'examples/sagrada/example-issuer-key.EXAMPLE-ONLY.pem'

/**
 * Mozilla Token Server 1.0 at the root: GET /1.0/:app_name/:app_version.
 * `nodeSecrets` (SAGRADA_SECRETS, comma-separated) replaces the node secrets of every node;
 * a trusted issuer may name `publicKeyFile` (a PEM, public or private: only
 * the public half is used) instead of `publicKey`. Audiences default to
 * this server's own origin. Try it with examples/sagrada/make-assertion.ts.
 */
/** browserid as the config file writes it: audiences optional, an issuer's key possibly in a PEM file. */
type SagradaSection = Section<Omit<SagradaOptions, 'browserid'>> & {
  browserid?: Partial<Omit<SagradaOptions['browserid'], 'trustedIssuers'>> & { trustedIssuers?: Array<TrustedIssuer & { publicKeyFile?: string }> }
}

const mount: MountDialect = ({ config: section, exampleSecret, baseUrl }) => {
  const config = section as SagradaSection & { nodeSecrets?: string[] }
  const { prefix: _prefix, enabled: _enabled, browserid = {}, nodes = {}, secrets, nodeSecrets: override, ...rest } = config
  const nodeOptions: SagradaOptions['nodes'] = {}
  for (const [url, node] of Object.entries(nodes)) {
    nodeOptions[url] = override ? { ...node, secrets: override } : node
    if (!override && (node.secrets ?? secrets ?? []).includes(EXAMPLE_SECRET)) exampleSecret(`sagrada.nodes["${url}"].secrets (SAGRADA_SECRETS)`)
  }
  const trustedIssuers: TrustedIssuer[] = ((browserid.trustedIssuers ?? []) as Array<TrustedIssuer & { publicKeyFile?: string }>).map(({ publicKeyFile, ...issuer }) => {
    if (!publicKeyFile) return issuer
    if (publicKeyFile === EXAMPLE_ISSUER_KEY) exampleSecret(`sagrada.browserid.trustedIssuers: ${issuer.issuer} signs with the example key from the repository`)
    return { ...issuer, publicKey: exportBrowserIdPublicKey(createPublicKey(readFileSync(resolve(publicKeyFile), 'utf8'))) }
  })
  return {
    prefix: '',
    dialect: sagrada({
      ...rest,
      ...(secrets ? { secrets } : {}),
      nodes: nodeOptions,
      browserid: { ...browserid, audiences: browserid.audiences ?? [baseUrl], trustedIssuers },
    } as SagradaOptions),
    notes: [`try: curl -s -H "Authorization: BrowserID $(npx tsx examples/sagrada/make-assertion.ts alice@example.com ${baseUrl})" ${baseUrl}/1.0/sync/1.5`],
  }
}
export default mount
