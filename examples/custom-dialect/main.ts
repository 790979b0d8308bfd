/**
 * The custom dialect mounted next to a built-in one:
 *   npx tsx examples/custom-dialect/main.ts
 *   curl -X POST localhost:8081/greet -H 'X-Api-Key: example-api-key' -H 'content-type: application/json' -d '{"name":"ada"}'
 */
import express from 'express'
import { polytoken } from '@polytoken/express'
import { prodmanager } from '@polytoken/plugins'
import { greeting } from './greeting-dialect.js'

const router = await polytoken({
  dialects: [greeting({ apiKey: process.env.GREETING_API_KEY ?? 'example-api-key' }), { dialect: prodmanager({ secret: 'changeit', permissions: { scope_api: 1 } }), prefix: '/api' }],
  store: process.env.POLYTOKEN_STORE ?? 'memory://',
  masterKey: process.env.POLYTOKEN_MASTER_KEY ?? 'example-master-key-change-me-please',
})
const app = express()
app.use(router)
const port = Number(process.env.PORT ?? 8081)
app.listen(port, () => console.log(`custom dialect example on http://localhost:${port}: POST /greet, GET /greet/verify, POST /api/token/create`))
