import { defineRoute } from '@polytoken/core'
import type { ResolvedCrewOptions } from './options.js'
import { NO_STORE, checkService, issueToken, readScopes, tokenResponseSchema, type CrewParts } from './issue.js'
import { accountOf, checkAccount, crewAuth, type CrewPrincipal } from './auth.js'
import { accountField, clientIdField, scopeField, serviceField } from './schemas.js'

interface TokenQuery {
  service: string
  scope?: string | string[]
  account?: string
  offline_token?: boolean
  client_id?: string
}

/** The Docker client flow: `GET /v1/token?service=..&scope=..&account=..`, Basic or anonymous. */
export function getTokenRoute(options: ResolvedCrewOptions, parts: CrewParts) {
  return defineRoute<CrewPrincipal>({
    method: 'GET',
    path: '/v1/token',
    summary: 'Docker registry token (Docker token protocol; Basic or anonymous)',
    auth: crewAuth(options, parts),
    schema: {
      query: {
        type: 'object',
        required: ['service'],
        properties: {
          service: serviceField,
          scope: scopeField,
          account: accountField,
          offline_token: { type: 'boolean', description: 'true: also return a refresh_token (needs Basic)' },
          client_id: clientIdField,
        },
      },
    },
    responses: { 200: { description: 'A registry token', schema: tokenResponseSchema } },
    async handle({ input, principal, services }) {
      const query = input.query as unknown as TokenQuery
      const account = accountOf(principal)
      checkAccount(query.account, account, 'querystring')
      checkService(options, query.service)
      const scopes = readScopes(options, query.scope, 'querystring')
      const { body } = await issueToken(options, parts, services, account, query.service, scopes)
      if (query.offline_token === true && account !== undefined) {
        body.refresh_token = await parts.refresh.issue(account, query.service, query.client_id, await parts.directory.loginEpoch(account))
        services.events.issued({ subject: account, clientId: query.client_id, tokenType: 'refresh' })
      }
      return { status: 200, headers: NO_STORE, body }
    },
  })
}
