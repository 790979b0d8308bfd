import { tokenGenerator, type TokenGeneratorOptions } from '@polytoken/plugins'
import type { MountDialect, Section } from '../context.js'

const EXAMPLE_SESSION_SECRET = 'example-session-secret-change-me'
const EXAMPLE_RESOURCE_SECRET = 'example-resource-secret-change-me'

/**
 * The session secret the server verifies caller tokens with: `sessionSecret` of the section loadConfig returns
 * (config.json, then TOKEN_GENERATOR_SESSION_SECRET or POLYTOKEN_TOKEN_GENERATOR__SESSION_SECRET, or their _FILE).
 * The mint script reads it the same way.
 */
export function sessionSecretOf(config: TokenGeneratorSection): string {
  // Checked by tokenGenerator() (and the mint script): a missing secret is refused there.
  return config.sessionSecret as string
}

/** The keys come from sessionSecret and resourceSecret (config-schema.ts). */
export type TokenGeneratorSection = Section<TokenGeneratorOptions, { sessionSecret?: string; resourceSecret?: string }>

export function isExampleSessionSecret(secret: string): boolean {
  return secret === EXAMPLE_SESSION_SECRET
}

// Shares POST /api/v1/token with zazz: token-generator keeps the document's path at the root, zazz goes under /zazz.
const mount: MountDialect = ({ config: section, exampleSecret, baseUrl }) => {
  const config = section as TokenGeneratorSection
  const sessionSecret = sessionSecretOf(config)
  const resourceSecret = config.resourceSecret
  if (sessionSecret === EXAMPLE_SESSION_SECRET) exampleSecret('token-generator.sessionSecret (TOKEN_GENERATOR_SESSION_SECRET)')
  if (resourceSecret === EXAMPLE_RESOURCE_SECRET) exampleSecret('token-generator.resourceSecret (TOKEN_GENERATOR_RESOURCE_SECRET)')
  const prefix = config.prefix ?? ''
  return {
    prefix,
    // Checked by tokenGenerator(): a missing endpoint or secret is its ConfigInvalid.
    dialect: tokenGenerator({
      sessionKeys: [{ secret: sessionSecret }],
      resourceKeys: [{ secret: resourceSecret }],
      endpoint: config.endpoint,
      ...(config.realm !== undefined ? { realm: config.realm } : {}),
      ...(config.maxLifetimeSec !== undefined ? { maxLifetimeSec: config.maxLifetimeSec } : {}),
      ...(config.echoToken !== undefined ? { echoToken: config.echoToken } : {}),
      ...(config.permissionSchema !== undefined ? { permissionSchema: config.permissionSchema } : {}),
    } as TokenGeneratorOptions),
    notes: [
      'try: TOKEN=$(npx tsx examples/token-generator/mint-session-token.ts --user f551a1cb-930e-4501-87a9-f51a0718da3e)',
      `     curl -i -X POST ${baseUrl}${prefix}/api/v1/token -H "Authorization: Token token=\\"$TOKEN\\"" --data-urlencode 'permission={"abilities":{"album_id":{"Access":{"see":true}}},"Id":"album_id"}'`,
    ],
  }
}
export default mount
