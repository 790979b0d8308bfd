/**
 * The apps the host-parser tests share (issue #16, items 1 and 2): one
 * router with every dialect, mounted at /auth in a host app whose body
 * parsers run first, and in a bare app that is the standalone answer to
 * compare with. Dialect options come from each dialect's own test fixture.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { crew, prodmanager, sagrada, tokenGenerator, zazz } from '@polytoken/plugins'
import { testOptions as zazzOptions, LEGACY_BASIC } from '../zazz/fixture.js'
import { testOptions as crewOptions, SERVICE } from '../crew/fixture.js'
import { options as sagradaOptions, assertion } from '../sagrada/fixture.js'
import { testOptions as tokenGeneratorOptions, sessionToken, tokenAuth, DOCUMENT_PERMISSION } from '../token-generator/helpers.js'

export { LEGACY_BASIC, SERVICE, assertion, sessionToken, tokenAuth, DOCUMENT_PERMISSION }
export const PRODMANAGER_SECRET = 'prodmanager-host-parsers-secret'

/** Paths under /auth, one body-taking route per dialect, and sagrada's GET. */
export const PATHS = {
  zazz: '/auth/zazz/api/v1/token',
  tokenGenerator: '/auth/api/v1/token',
  prodmanager: '/auth/pm/token/create',
  crew: '/auth/v1/token',
  sagrada: '/auth/1.0/sync/1.5',
} as const

export function createRouter(): Promise<PolytokenRouter> {
  return polytoken({
    dialects: [
      { dialect: zazz(zazzOptions()), prefix: '/zazz' },
      tokenGenerator(tokenGeneratorOptions()),
      { dialect: prodmanager({ secret: PRODMANAGER_SECRET, permissions: { scope_api: 1, service_api: 2 } }), prefix: '/pm' },
      crew(crewOptions()),
      sagrada(sagradaOptions()),
    ],
    store: 'memory://',
    masterKey: 'host-parsers-test-master-key-0123456789',
    logger: silentLogger,
  })
}

/** The host's own answers: what leaves when polytoken does not answer. */
export const hostNotFound: RequestHandler = (_req, res) => {
  res.status(404).json({ host: 'not found' })
}
export const hostErrorHandler: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, _next) => {
  res.status(error.status ?? 500).json({ host: 'error', type: error.type ?? null })
}

/** A typical host app: express.json() (raised to 1 MB), express.urlencoded({ extended: true }) and express.text() before the router. */
export function hostApp(router: PolytokenRouter, { errors = false, prefix = '/auth', parsers }: { errors?: boolean; prefix?: string; parsers?: RequestHandler[] } = {}) {
  const app = express()
  for (const parser of parsers ?? [express.json({ limit: '1mb' }), express.urlencoded({ extended: true, limit: '1mb' }), express.text()]) app.use(parser)
  app.post('/echo', (req, res) => {
    res.json({ youSent: req.body as unknown })
  })
  app.use(prefix, router)
  app.use(hostNotFound)
  if (errors) app.use(router.errors)
  app.use(hostErrorHandler)
  return app
}

/** polytoken as the only reader of the body: the standalone answer. */
export function standaloneApp(router: PolytokenRouter) {
  const app = express()
  app.use('/auth', router)
  return app
}

/** Each dialect's own error envelope (docs/errors.md); returns the stable code where the envelope carries one. */
export const ENVELOPES = {
  zazz: (body: Record<string, unknown>) => typeof body.error === 'string' && typeof body.error_description === 'string' && Object.keys(body).length === 2,
  tokenGenerator: (body: Record<string, unknown>) => typeof body.error === 'string' && typeof body.code === 'string' && body.code.startsWith('ERR_'),
  prodmanager: (body: Record<string, unknown>) => typeof body.message === 'string' && typeof body.code === 'string' && body.code.startsWith('ERR_'),
  crew: (body: Record<string, unknown>) => Array.isArray(body.errors) && typeof (body.errors as Array<{ code?: unknown }>)[0]?.code === 'string' && Object.keys(body).length === 1,
  sagrada: (body: Record<string, unknown>) => typeof body.status === 'string' && Array.isArray(body.errors),
} as const
export type DialectName = keyof typeof ENVELOPES
