import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startExampleServer, type RunningServer } from '../helpers/spawn-server.js'
import { runDialectFlows, writeFlowConfig, type FlowResult } from '../operations/dialect-flows.js'

/**
 * The examples server as `npm start` runs it (pino JSON lines, access and audit lines on), every dialect's flows
 * against it, wrong passwords included: its whole output (banner, warnings, every log line) holds no token, password,
 * secret or key the flows used or received.
 */
const root = new URL('../..', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'polytoken-log-secrets-'))
let server: RunningServer
let flows: FlowResult

before(async () => {
  const setup = writeFlowConfig(root, dir)
  server = await startExampleServer({ POLYTOKEN_CONFIG: setup.configFile, POLYTOKEN_DATA_DIR: dir, POLYTOKEN_STORE: 'memory://', POLYTOKEN_LOG_LEVEL: 'info' })
  flows = await runDialectFlows(server.url, setup)
  // The last lines are written as the answers go out: give the pipe a moment.
  await new Promise((resolve) => setTimeout(resolve, 300))
})

after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('no secret the flows used or received appears anywhere in the log', () => {
  const log = server.output()
  for (const secret of flows.secrets) assert.ok(!log.includes(secret), `the log holds a secret (${secret.slice(0, 6)}…)`)
})

test('the log was written: one JSON access line per request and an audit line per token issued or revoked, each with its request id', () => {
  const lines = server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  const access = lines.filter((line) => line.msg === 'request')
  assert.equal(access.length, flows.requestIds.length)
  const logged = access.map((line) => line.requestId)
  for (const [index, id] of flows.requestIds.entries()) assert.ok(logged.includes(id), `request ${index} (${id}) has no access line:\n${access.map((line) => JSON.stringify(line)).join('\n')}`)
  for (const line of access) assert.ok(typeof line.route === 'string' && typeof line.status === 'number' && typeof line.dialect === 'string', JSON.stringify(line))
  // One audit line per token issued or revoked, in the request that did it.
  const audit = lines.filter((line) => typeof line.audit === 'string')
  const dialects = (action: string) => new Set(audit.filter((line) => line.audit === action).map((line) => line.dialect))
  assert.deepEqual([...dialects('issued')].sort(), ['crew', 'prodmanager', 'sagrada', 'token-generator', 'zazz'], JSON.stringify(audit))
  assert.deepEqual([...dialects('revoked')].sort(), ['crew', 'prodmanager', 'zazz'], JSON.stringify(audit))
  for (const line of audit) assert.ok(flows.requestIds.includes(line.requestId as string), `an audit line without its request's id: ${JSON.stringify(line)}`)
})
