import assert from 'node:assert/strict'
import {
  AuthInvalid,
  AuthRequired,
  MethodNotAllowed,
  RequestInvalid,
  RequestMalformed,
  RequestTooLarge,
  StoreUnavailable,
  TokenExpired,
  TokenInvalid,
  UnsupportedMediaType,
  compileValidator,
  createRuntime,
  type DialectDefinition,
  type PolytokenError,
  type PolytokenOptions,
} from '@polytoken/core'
import type { ConformanceCheck } from './route-checks.js'

/** Start-up rules, and renderError's envelope for every error of the catalogue. */
export function registrationChecks(dialect: () => DialectDefinition, base: Omit<PolytokenOptions, 'dialects'>, prefix: string): ConformanceCheck[] {
  return [
    {
      name: 'registers and sets up',
      async run() {
        const runtime = await createRuntime({ ...base, dialects: [{ dialect: dialect(), prefix }] })
        assert.ok(runtime.routes.length > 0)
        await runtime.close()
      },
    },
    {
      name: 'a second dialect of the same name is refused at start-up',
      async run() {
        await assert.rejects(
          createRuntime({
            ...base,
            dialects: [
              { dialect: dialect(), prefix },
              { dialect: dialect(), prefix: '/elsewhere' },
            ],
          }),
          { code: 'ERR_DIALECT_INVALID' },
        )
      },
    },
    {
      name: 'the same routes twice on one path are refused at start-up',
      async run() {
        const twin = { ...dialect(), name: `${dialect().name}-twin` }
        await assert.rejects(
          createRuntime({
            ...base,
            dialects: [
              { dialect: dialect(), prefix },
              { dialect: twin, prefix },
            ],
          }),
          { code: 'ERR_ROUTE_CONFLICT' },
        )
      },
    },
    {
      name: 'renderError puts every catalogue error in the envelope, with a sane status',
      async run() {
        const definition = dialect()
        // renderError comes from what setup() returned on a router.
        const runtime = await createRuntime({ ...base, dialects: [{ dialect: definition, prefix }] })
        const instance = runtime.instance(definition)
        await runtime.close()
        const checkEnvelope = compileValidator(definition.errorSchema, 'json', 'body')
        const samples: PolytokenError[] = [
          new RequestMalformed('m'),
          new RequestInvalid('i', { reasons: { field: ['is required'] }, location: 'body', field: 'field' }),
          new RequestTooLarge('t'),
          new UnsupportedMediaType('u'),
          new MethodNotAllowed('n', { headers: { Allow: 'GET' } }),
          new AuthRequired('a'),
          new AuthInvalid('b'),
          new TokenInvalid('c'),
          new TokenExpired('d'),
          new StoreUnavailable('s'),
        ]
        for (const error of samples) {
          const response = instance.renderError(error, undefined)
          assert.ok(response.status >= 400 && response.status <= 599, `${error.code} → ${response.status}`)
          if (error.status < 500) assert.ok(response.status < 500, `${error.code} must stay a client error, got ${response.status}`)
          assert.doesNotThrow(() => checkEnvelope(response.body), `${error.code}: body does not match errorSchema: ${JSON.stringify(response.body)}`)
        }
      },
    },
  ]
}
