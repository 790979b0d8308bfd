import { SERVICE_PATTERN } from './options.js'

/** Input shapes shared by the token routes; compiled once, at registration. `as const`: handlers' input types are read from them. */
export const serviceField = { type: 'string', pattern: SERVICE_PATTERN, description: 'The service (registry) the token is for: its `aud`' } as const
export const scopeField = {
  description: 'type[(class)]:name:action[,action]; repeat it, or separate entries with spaces or `;`',
  anyOf: [
    { type: 'string', maxLength: 8192 },
    { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 8192 } },
  ],
} as const
export const accountField = { type: 'string', pattern: '^(?:[A-Za-z0-9][A-Za-z0-9._@+-]{0,127})?$', description: 'Must be the authenticated user; empty for anonymous' } as const
export const clientIdField = { type: 'string', maxLength: 256 } as const
