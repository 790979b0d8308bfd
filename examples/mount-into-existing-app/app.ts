/**
 * polytoken inside an app that already has its own routes, its own body
 * parser (express.json() for everything) and its own error handler. The
 * router is mounted at /auth, and router.errors before the app's error
 * handler; nothing else in the app changes.
 */
import express, { type NextFunction, type Request, type Response } from 'express'
import { findShadowedRoutes, polytoken } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'

export async function createHostApp(options: { masterKey: string; store?: string }) {
  const app = express()
  app.use(express.json())
  app.get('/', (_req, res) => {
    res.json({ app: 'my existing app' })
  })
  app.post('/echo', (req, res) => {
    res.json({ youSent: req.body as unknown })
  })

  const auth = await polytoken({
    dialects: [prodmanager({ secret: process.env.PRODMANAGER_SECRET ?? 'changeit', permissions: { scope_api: 1 } })],
    store: options.store ?? 'memory://',
    masterKey: options.masterKey,
  })
  app.use('/auth', auth)

  app.use((_req, res) => {
    res.status(404).json({ host: 'not found' })
  })
  // express.json() runs before polytoken: its refusals (broken JSON, too large) on /auth are answered in the dialect's envelope.
  app.use(auth.errors)
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ host: 'error', message: error.message })
  })
  return { app, auth }
}

/**
 * The start-up check: once every route is registered, report each host route or middleware that keeps one of
 * polytoken's routes from being reached, or that polytoken keeps from being reached. Returns how many there were.
 */
export function reportRouteConflicts(app: express.Express, warn: (line: string) => void = console.warn): number {
  const conflicts = findShadowedRoutes(app)
  for (const conflict of conflicts) warn(`route conflict (${conflict.kind}): ${conflict.message}`)
  return conflicts.length
}
