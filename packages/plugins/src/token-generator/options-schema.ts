import type { JsonSchema } from '@polytoken/core'
import { keySourceSchema } from '../shared-schemas.js'

const claimNames = (description: string, fallback: string[]): JsonSchema => ({ type: 'array', items: { type: 'string' }, default: fallback, description })

/** token-generator's options: what config.json may set. */
export const tokenGeneratorOptionsSchema: JsonSchema = {
  type: 'object',
  description: "token-generator: trade a session token for an abilities token signed with the resource service's secret.",
  required: ['sessionKeys', 'resourceKeys', 'endpoint'],
  properties: {
    sessionKeys: { type: 'array', minItems: 1, items: keySourceSchema, description: 'HS256 keys that verify the caller\'s session token (`[{ "secret": "..." }]`; several: rotation). Required.' },
    resourceKeys: { type: 'array', minItems: 1, items: keySourceSchema, description: "HS256 keys that sign the new token: the resource service's secret. Required, and not one of sessionKeys." },
    endpoint: { type: 'string', minLength: 1, description: 'Where the resource service lives; returned as `endpoint`. Required.' },
    permissionSchema: { type: 'object', description: "JSON Schema every `permission` object must satisfy (ajv, strict mode). Default: the document's shape." },
    reservedClaims: claimNames("Claims `permission` may not set, besides exp, iat, nbf, iss, sub, aud, jti, user_id and the caller's own claims.", []),
    requiredClaims: claimNames('Claims the session token must carry besides exp.', ['iat', 'user_id']),
    maxLifetimeSec: { type: 'integer', minimum: 1, description: "Shorten the new token's life to at most this many seconds from now. Default: none (the caller's exp)." },
    clockToleranceSec: { type: 'integer', minimum: 0, default: 0, description: "Leeway on the session token's exp/nbf, seconds." },
    echoToken: { type: 'boolean', default: true, description: "Echo the caller's token in `X-token`, as the original does." },
    realm: { type: 'string', default: 'Application', description: "Realm in `WWW-Authenticate` (Rails' default)." },
  },
  additionalProperties: false,
}
