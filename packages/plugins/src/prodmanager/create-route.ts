import { randomUUID } from 'node:crypto'
import { NotAcceptable, RequestInvalid, defineRoute, epochSeconds, type FieldReasons, type PolyResponse } from '@polytoken/core'
import type { ResolvedProdManagerOptions } from './options.js'
import { parseMinuteUtc } from './dates.js'
import { guardedFormSecret } from './admin-routes.js'
import type { ProdManagerParts } from './parts.js'
import { createExamples } from './examples.js'

export function createTokenRoute(options: ResolvedProdManagerOptions, parts: ProdManagerParts) {
  const permissionNames = Object.keys(options.permissions)
  const datePattern = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$'
  return defineRoute({
    method: 'POST',
    path: '/token/create',
    summary: 'Create a token (prodmanager.md)',
    accepts: ['multipart', 'urlencoded', 'json'],
    auth: [guardedFormSecret(options, parts)],
    schema: {
      body: {
        type: 'object',
        required: ['secret', 'name', 'description'],
        additionalProperties: false,
        properties: {
          secret: { type: 'string', minLength: 1, maxLength: 1024 },
          name: { type: 'string', minLength: options.nameLength[0], maxLength: options.nameLength[1] },
          description: { type: 'string', minLength: options.descriptionLength[0], maxLength: options.descriptionLength[1] },
          not_before_date: { type: 'string', pattern: datePattern },
          expiration_date: { type: 'string', pattern: datePattern },
          permission: { type: 'array', maxItems: 64, items: { type: 'string', enum: permissionNames.length > 0 ? permissionNames : [''] } },
        },
      },
    },
    responses: {
      200: { description: 'The token, as text/plain (a JSON string when only application/json is accepted)', contentType: 'text/plain', schema: { type: 'string' } },
    },
    examples: createExamples(permissionNames),
    async handle({ request, input, services }): Promise<PolyResponse> {
      const body = input.body
      const format = negotiate(request.headers.accept)
      const now = services.clock()
      const nbfMs = body.not_before_date === undefined ? now : parseMinuteUtc(body.not_before_date)
      const expMs = body.expiration_date === undefined ? (nbfMs ?? now) + options.defaultLifetimeMs : parseMinuteUtc(body.expiration_date)
      const reasons: FieldReasons = {}
      if (nbfMs === undefined) reasons.not_before_date = ['is not a real date (YYYY-MM-DDTHH:MM, UTC)']
      // A token minted today that wakes up decades later outlives every key rotation and audit that would catch it.
      else if (nbfMs - now > options.maxNotBeforeAheadMs) reasons.not_before_date = ['is too far in the future']
      if (expMs === undefined) reasons.expiration_date = ['is not a real date (YYYY-MM-DDTHH:MM, UTC)']
      if (reasons.not_before_date === undefined && nbfMs !== undefined && expMs !== undefined) {
        if (expMs <= nbfMs) reasons.expiration_date = ['must be after not_before_date']
        else if (expMs <= now) reasons.expiration_date = ['must be in the future']
        else if (expMs - Math.max(nbfMs, now) > options.maxLifetimeMs) reasons.expiration_date = ['is too far in the future']
      }
      if (Object.keys(reasons).length > 0) throw new RequestInvalid('invalid dates', { reasons, location: 'body' })

      const names = [...new Set(body.permission ?? [])]
      const claims = {
        iss: options.issuer,
        aud: body.name,
        sub: body.description,
        nbf: epochSeconds(nbfMs!),
        exp: epochSeconds(expMs!),
        iat: epochSeconds(now),
        jti: randomUUID(),
        version: 1,
        permissions: names.map((name) => options.permissions[name]!),
      }
      const token = parts.signer.sign(claims)
      await parts.records.save({
        jti: claims.jti,
        name: body.name,
        description: body.description,
        permissions: names,
        nbf: claims.nbf,
        exp: claims.exp,
        iat: claims.iat,
        revoked: false,
      })
      services.events.issued({ jti: claims.jti, clientId: body.name, tokenType: 'access' })
      return format === 'json'
        ? { status: 200, body: JSON.stringify(token), headers: { 'Content-Type': 'application/json; charset=utf-8' } }
        : { status: 200, body: token, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }
    },
  })
}

/** text/plain unless the client accepts only JSON; 406 when it accepts neither. */
function negotiate(accept: string | undefined): 'text' | 'json' {
  if (!accept || accept.trim() === '') return 'text'
  const types = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return { type: type!.trim(), q: q ? Number(q.slice(2)) : 1 }
  })
  const accepts = (wanted: string[]) => types.some((t) => wanted.includes(t.type) && t.q > 0)
  if (accepts(['text/plain', 'text/*', '*/*'])) return 'text'
  if (accepts(['application/json', 'application/*'])) return 'json'
  throw new NotAcceptable('this route answers text/plain or application/json', { location: 'header', field: 'accept' })
}
