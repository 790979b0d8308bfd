import { AuthInvalid, RouteNotFound, basic, defineRoute, formSecret, secretMatcher } from '@polytoken/core'
import { withAddressGuard } from '@polytoken/login-throttle'
import type { ResolvedProdManagerOptions } from './options.js'
import type { ProdManagerParts } from './parts.js'
import { findRecord, revokeToken } from './revoke-token.js'

/** Operator access: the application secret as the Basic password (any user name); wrong ones counted per address. */
function secretAsBasicPassword(options: ResolvedProdManagerOptions, parts: ProdManagerParts) {
  const matches = secretMatcher(options.secrets)
  const method = basic({
    realm: options.realm,
    // eslint-disable-next-line @typescript-eslint/require-await -- async so that a wrong secret is a rejection, as verify's contract says
    async verify(credential) {
      if (!matches(credential.pair?.password ?? '')) throw new AuthInvalid('secret is invalid', { location: 'header', field: 'authorization' })
      return { kind: 'form-secret' as const }
    },
  })
  return withAddressGuard(method, () => parts.secretGuard)
}

/** The application secret as a body field, wrong ones counted per address (create and revoke). */
export function guardedFormSecret(options: ResolvedProdManagerOptions, parts: ProdManagerParts) {
  return withAddressGuard(formSecret({ field: 'secret', secret: options.secrets }), () => parts.secretGuard)
}

const recordSchema = {
  type: 'object',
  properties: {
    jti: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string' } },
    nbf: { type: 'integer' },
    exp: { type: 'integer' },
    iat: { type: 'integer' },
    revoked: { type: 'boolean' },
  },
}

export function listRoute(options: ResolvedProdManagerOptions, parts: ProdManagerParts) {
  return defineRoute({
    method: 'GET',
    path: '/token/list',
    summary: 'Issued tokens that have not expired (metadata only)',
    auth: [secretAsBasicPassword(options, parts)],
    responses: { 200: { description: 'Token records', schema: { type: 'object', properties: { tokens: { type: 'array', items: recordSchema } } } } },
    handle: async () => ({ status: 200, body: { tokens: await parts.records.list() } }),
  })
}

export function revokeRoute(options: ResolvedProdManagerOptions, parts: ProdManagerParts) {
  return defineRoute({
    method: 'POST',
    path: '/token/revoke',
    summary: 'Revoke a token by its jti; whoami refuses it at once',
    accepts: ['multipart', 'urlencoded', 'json'],
    auth: [secretAsBasicPassword(options, parts), guardedFormSecret(options, parts)],
    schema: {
      body: {
        type: 'object',
        required: ['jti'],
        additionalProperties: false,
        properties: {
          secret: { type: 'string', maxLength: 1024 },
          jti: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' },
        },
      },
    },
    responses: { 200: { description: 'Revoked', schema: recordSchema } },
    async handle({ input, services }) {
      const record = await findRecord(parts.records, input.body.jti)
      if (!record) throw new RouteNotFound('no live token has this jti', { location: 'body', field: 'jti' })
      return { status: 200, body: await revokeToken(parts.records, services, record, 'admin') }
    },
  })
}
