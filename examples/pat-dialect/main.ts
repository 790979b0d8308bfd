/**
 * The personal-access-token dialect on its own:
 *   npx tsx examples/pat-dialect/main.ts
 *   curl -u octocat:change-me -H 'content-type: application/json' -d '{"note":"ci","scopes":["user","read:pats"]}' localhost:8082/pats
 *   curl -H "Authorization: Bearer pat_…" localhost:8082/user
 */
import express from 'express'
import { polytoken } from '@polytoken/express'
import { patDialect } from './pat-dialect.js'

const router = await polytoken({
  dialects: [patDialect({ users: { octocat: process.env.PAT_EXAMPLE_PASSWORD ?? 'change-me' } })],
  store: process.env.POLYTOKEN_STORE ?? 'memory://',
  masterKey: process.env.POLYTOKEN_MASTER_KEY ?? 'example-master-key-change-me-please',
})
const app = express()
app.use(router)
const port = Number(process.env.PORT ?? 8082)
app.listen(port, () => console.log(`personal access tokens on http://localhost:${port}: POST /pats, GET /pats, DELETE /pats/:id, GET /user`))
