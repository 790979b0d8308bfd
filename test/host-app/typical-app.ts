/**
 * A host app as people write them, with polytoken mounted last at /auth: helmet, cors, compression, morgan, the two
 * body parsers, cookie-parser, express-session and express-rate-limit, each with the settings docs/mounting.md
 * recommends, and a host middleware that marks every answer `Cache-Control: public, max-age=600` (a CDN-friendly
 * default some apps set app-wide). Every dialect is mounted, with the test fixtures' options.
 */
import { Writable } from 'node:stream'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express, { type NextFunction, type Request, type Response } from 'express'
import helmet from 'helmet'
import cors from 'cors'
import compression from 'compression'
import morgan from 'morgan'
import cookieParser from 'cookie-parser'
import session from 'express-session'
import { rateLimit } from 'express-rate-limit'
import { EXPOSED_HEADERS, polytoken, type PolytokenRouter, type PolytokenRouterOptions } from '@polytoken/express'
import { silentLogger } from '@polytoken/core'
import { crew, prodmanager, sagrada, tokenGenerator, zazz, type CrewCertificate } from '@polytoken/plugins'
import { testOptions as crewOptions } from '../crew/fixture.js'
import { options as sagradaOptions } from '../sagrada/fixture.js'
import { testOptions as zazzOptions } from '../zazz/fixture.js'
import { testOptions as tokenGeneratorOptions } from '../token-generator/helpers.js'

export const MOUNT = '/auth'
export const BROWSER_ORIGIN = 'https://app.example'
export const HOST_CACHE_CONTROL = 'public, max-age=600'
export const PRODMANAGER_SECRET = 'changeit'

export interface TypicalApp {
  app: express.Express
  router: PolytokenRouter
  /** What morgan wrote. */
  log: string[]
  /** http://127.0.0.1:port of the listening app. */
  url: string
  certificate: CrewCertificate
  close(): Promise<void>
}

export interface TypicalAppOptions {
  /** Express's `trust proxy` (default: off, as Express's own default). */
  trustProxy?: boolean
  publicUrl?: PolytokenRouterOptions['publicUrl']
  /** The router's docs page (default: off, as the router's own default). */
  docs?: PolytokenRouterOptions['docs']
}

export async function startTypicalApp(options: TypicalAppOptions = {}): Promise<TypicalApp> {
  let certificate: CrewCertificate | undefined
  const router = await polytoken({
    dialects: [
      tokenGenerator(tokenGeneratorOptions()),
      { dialect: sagrada(sagradaOptions({ discovery: true })), prefix: '/sync' },
      { dialect: zazz(zazzOptions()), prefix: '/zazz' },
      crew({ ...crewOptions(), onCertificate: (given) => void (certificate = given) }),
      { dialect: prodmanager({ secret: PRODMANAGER_SECRET, permissions: { scope_api: 1 } }), prefix: '/pm' },
    ],
    store: 'memory://',
    masterKey: 'host-app-master-key-0123456789abcdef',
    logger: silentLogger,
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    ...(options.docs !== undefined ? { docs: options.docs } : {}),
  })

  const log: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log.push(chunk.toString('utf8'))
      done()
    },
  })

  const app = express()
  if (options.trustProxy) app.set('trust proxy', true)
  app.use(helmet())
  app.use(cors({ origin: BROWSER_ORIGIN, credentials: true, exposedHeaders: [...EXPOSED_HEADERS] }))
  app.use(compression({ threshold: 0 }))
  app.use(morgan('combined', { stream: sink }))
  app.use(function cacheEverything(_req: Request, res: Response, next: NextFunction) {
    res.setHeader('Cache-Control', HOST_CACHE_CONTROL)
    next()
  })
  app.use(express.json())
  app.use(express.urlencoded({ extended: true }))
  app.use(cookieParser('host-cookie-secret'))
  app.use(session({ secret: 'host-session-secret', resave: false, saveUninitialized: false }))
  app.use(rateLimit({ windowMs: 60_000, limit: 10_000, standardHeaders: 'draft-8', legacyHeaders: false }))
  // The host's own routes, some on polytoken's paths with methods polytoken does not serve.
  app.get('/', (_req, res) => {
    res.json({ app: 'host' })
  })
  app.use(MOUNT, router)
  app.put(`${MOUNT}/pm/token/create`, function hostPutOnCreate(_req, res) {
    res.json({ host: 'put on create' })
  })
  app.delete(`${MOUNT}/healthz`, function hostDeleteOnHealthz(_req, res) {
    res.json({ host: 'delete on healthz' })
  })
  app.use((_req, res) => {
    res.status(404).json({ host: 'not found' })
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ host: 'error', message: error.message })
  })

  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    app,
    router,
    log,
    url,
    certificate: certificate!,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await router.close()
    },
  }
}
