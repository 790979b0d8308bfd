import express from 'express'
import { polytoken, type PolytokenRouter } from '@polytoken/express'
import type { Logger, PolytokenOptions } from '@polytoken/core'
import { dialects } from './dialects/index.js'
import { packageMount } from './dialect-packages.js'
import { EXAMPLE_MASTER_KEY, type ServerConfig } from './load-config.js'
import type { DialectMount } from './context.js'
import { errorAnswer, notFound } from './json-fallback.js'
import { createServerLogger } from './logging.js'

export interface ExampleServer {
  app: express.Express
  router: PolytokenRouter
  mounts: Array<DialectMount & { key: string }>
  warnings: string[]
}

/** Where the server says it is (banner, realms, discovery): POLYTOKEN_BASE_URL, else http://localhost:<port>; no trailing slash. */
export function baseUrlOf(config: ServerConfig, env: NodeJS.ProcessEnv): string {
  return (env.POLYTOKEN_BASE_URL ?? `http://localhost:${config.port}`).replace(/\/+$/, '')
}

/** The runtime every process of the server opens (the server's router, each CLI command): its dialects, store, key, cache and key refresh. */
export function runtimeOptions(config: ServerConfig, mounts: DialectMount[]): Omit<PolytokenOptions, 'logger'> {
  return {
    dialects: mounts.map(({ dialect, prefix }) => ({ dialect, prefix: prefix ?? '' })),
    store: config.store,
    masterKey: config.masterKey,
    cache: config.cache,
    ...(config.keyRefreshMs === undefined ? {} : { keyRefreshMs: config.keyRefreshMs }),
  }
}

/** The configured dialects, built from their sections as the server mounts them (the CLI builds the same). */
export async function buildMounts(config: ServerConfig, env: NodeJS.ProcessEnv, baseUrl: string): Promise<Pick<ExampleServer, 'mounts' | 'warnings'>> {
  const warnings: string[] = []
  if (config.masterKey === EXAMPLE_MASTER_KEY) warnings.push('masterKey (POLYTOKEN_MASTER_KEY)')
  const mounts: ExampleServer['mounts'] = []
  for (const [key, section] of Object.entries(config.sections)) {
    const dialectPackage = config.packages?.[key]
    const mount = dialects[key] ?? (dialectPackage && packageMount(key, dialectPackage))
    if (!mount || section?.enabled === false) continue
    const mounted = await mount({ config: section, env, dataDir: config.dataDir, baseUrl, exampleSecret: (name) => warnings.push(name) })
    mounts.push({ ...mounted, key })
  }
  return { mounts, warnings }
}

/** Every configured dialect in one router at the root of a fresh app. */
export async function createExampleServer(config: ServerConfig, env: NodeJS.ProcessEnv, baseUrl: string, logger: Logger = createServerLogger(env)): Promise<ExampleServer> {
  const { mounts, warnings } = await buildMounts(config, env, baseUrl)
  const router = await polytoken({
    ...runtimeOptions(config, mounts),
    startup: config.startup,
    logger,
    // Behind a proxy, what the router serves about its own URL (sagrada's discovery) agrees with the notes printed.
    ...(env.POLYTOKEN_BASE_URL ? { publicUrl: env.POLYTOKEN_BASE_URL } : {}),
    accessLog: true,
    auditLog: true,
    docs: config.docs,
  })
  const app = express()
  app.disable('x-powered-by')
  app.use(router)
  app.use(notFound)
  app.use(errorAnswer)
  return { app, router, mounts, warnings }
}
