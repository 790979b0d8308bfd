// One contender in the cross-process race: a process with a store of its own.
// stdin: "go <key>" lines; stdout: "ready", then one JSON line per round.
import { createInterface } from 'node:readline'
import { createStore } from '@polytoken/core'

const { STORE_URL, STORE_PREFIX, NAMESPACE, PARALLEL } = process.env
const backend = await createStore({ url: STORE_URL!, prefix: STORE_PREFIX, timeoutMs: 5000 })
const store = backend.namespace(NAMESPACE!)
await backend.ping()
await store.get('warm-up')
process.stdout.write('ready\n')

for await (const line of createInterface({ input: process.stdin })) {
  const [command, key] = line.trim().split(' ')
  if (command !== 'go' || !key) break
  const n = Number(PARALLEL ?? 25)
  const [taken, added, counts] = await Promise.all([
    Promise.all(Array.from({ length: n }, () => store.take(`take:${key}`))),
    Promise.all(Array.from({ length: n }, () => store.add(`add:${key}`, process.pid))),
    Promise.all(Array.from({ length: n }, () => store.increment(`count:${key}`, 60_000))),
  ])
  process.stdout.write(JSON.stringify({ won: taken.filter((v) => v !== undefined), added: added.filter(Boolean).length, counts }) + '\n')
}
await backend.close()
