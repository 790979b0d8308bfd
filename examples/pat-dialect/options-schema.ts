import type { JsonSchema } from '@polytoken/core'

/** The PAT dialect's options as JSON Schema: the examples server's config.json section is made from it. */
export const patOptionsSchema: JsonSchema = {
  type: 'object',
  description: 'GitHub-style personal access tokens (examples/pat-dialect; docs/writing-a-dialect.md).',
  properties: {
    users: { type: 'object', additionalProperties: { type: 'string', minLength: 8 }, description: 'login → password of the users who may create tokens (hashed at start-up).' },
    scopes: { type: 'array', items: { type: 'string' }, description: 'Scopes a token may carry. Default user, read:pats, admin:pats.' },
    maxLifetimeDays: { type: 'integer', minimum: 1, description: 'Longest lifetime a token may ask for, days; also the default. Default 90.' },
    maxTokensPerUser: { type: 'integer', minimum: 1, description: 'Tokens per user. Default 100.' },
    realm: { type: 'string', description: "WWW-Authenticate realm. Default 'pat'." },
  },
  additionalProperties: false,
}
