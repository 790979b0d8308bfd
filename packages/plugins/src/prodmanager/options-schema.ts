import type { JsonSchema } from '@polytoken/core'
import { keysSchema } from '../shared-schemas.js'

const DAY_MS = 24 * 60 * 60 * 1000
const bounds = (description: string, fallback: [number, number]): JsonSchema => ({
  type: 'array',
  items: { type: 'integer', minimum: 0 },
  minItems: 2,
  maxItems: 2,
  default: fallback,
  description,
})

/** prodmanager's options: what config.json may set. */
export const prodmanagerOptionsSchema: JsonSchema = {
  type: 'object',
  description: 'prodmanager: application-secret-protected token creation, listing and revocation.',
  required: ['secret'],
  properties: {
    secret: {
      type: ['string', 'array'],
      minLength: 1,
      items: { type: 'string', minLength: 1 },
      minItems: 1,
      description: 'The application secret(s) that create, list and revoke require (at least 8 characters, not a repeated character). Several: rotation. Required.',
    },
    issuer: { type: 'string', default: 'prodmanager', description: '`iss` of every token.' },
    permissions: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'integer', title: 'permission', description: 'The integer id tokens carry for this permission.' },
      description: 'Permission names accepted by create → the integer ids tokens carry (each id used once).',
    },
    keys: keysSchema('HS256 signing keys; default: one generated on first start, sealed in the store.'),
    defaultLifetimeMs: { type: 'integer', minimum: 1, default: 60 * 60 * 1000, description: 'Token lifetime when expiration_date is absent, ms (default 1 hour).' },
    maxLifetimeMs: { type: 'integer', minimum: 1, default: 366 * DAY_MS, description: 'Longest lifetime create will grant, ms (default 366 days).' },
    maxNotBeforeAheadMs: { type: 'integer', minimum: 0, default: 366 * DAY_MS, description: 'How far ahead of now not_before_date may lie, ms (default 366 days).' },
    nameLength: bounds('Length bounds `[min, max]` of a token `name`.', [8, 64]),
    descriptionLength: bounds('Length bounds `[min, max]` of a token `description`.', [12, 256]),
    realm: { type: 'string', default: 'prodmanager', description: 'Realm in `WWW-Authenticate`.' },
    maxSecretFailuresPerAddress: {
      type: 'integer',
      minimum: 1,
      default: 20,
      description: 'Wrong application secrets from one address per window (create, list, revoke together); then 429 until the window ends.',
    },
    secretFailureWindowMs: { type: 'integer', minimum: 1, default: 15 * 60 * 1000, description: 'The window of maxSecretFailuresPerAddress, ms (default 15 minutes).' },
  },
  additionalProperties: false,
}
