import { createServer } from 'node:http'
import { createExampleServer } from './app.js'
import { loadConfig } from './load-config.js'

const config = loadConfig()
const baseUrl = process.env.POLYTOKEN_BASE_URL ?? `http://localhost:${config.port}`
const { app, router, mounts, warnings } = await createExampleServer(config, process.env, baseUrl)

const server = createServer(app)
server.listen(config.port, () => {
  const lines = [`polytoken examples server on ${baseUrl} (store: ${router.runtime.store.kind}, data: ${config.dataDir})`, '']
  for (const mount of mounts) {
    lines.push(`${mount.dialect.name}${mount.prefix ? ` (prefix ${mount.prefix})` : ''}`)
    for (const route of router.runtime.routes.filter((r) => r.dialect === mount.dialect)) lines.push(`  ${route.method.padEnd(6)} ${route.fullPath}`)
    for (const note of mount.notes ?? []) lines.push(`  ${note}`)
  }
  lines.push('', 'also: GET /.well-known/jwks.json  GET /healthz  GET /openapi.json')
  console.log(lines.join('\n'))
  if (warnings.length > 0) {
    const bar = '!'.repeat(72)
    console.warn(`\n${bar}\n!! WARNING: example secrets in use — anyone who read the README knows them:\n${warnings.map((w) => `!!   ${w}`).join('\n')}\n!! Set them through config or environment before exposing this server.\n${bar}\n`)
  }
})

const shutdown = () => {
  server.close()
  router.close().finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
