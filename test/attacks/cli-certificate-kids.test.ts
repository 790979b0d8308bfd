/**
 * `polytoken keys certificate crew <kid>` takes a kid typed or pasted by an operator. A glob, a prefix of the real kid,
 * the store key of its certificate record, a path with dot segments, a kid with a trailing space or one of another
 * dialect: no certificate, exit 1, and nothing made or stored for it (a later listing shows the same keys).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { cliEnv, polytoken } from '../cli/run-polytoken.js'

test('forged kids get no certificate', { timeout: 300_000 }, async () => {
  const env = cliEnv({}, ['prodmanager', 'crew'])
  try {
    const generated = await polytoken(['keys', 'generate', 'crew', '--json'], env)
    assert.equal(generated.status, 0, generated.stderr)
    const kid = (JSON.parse(generated.stdout) as { kid: string }).kid
    const listed = await polytoken(['keys', 'list', '--json'], env)
    const prodmanagerKid = (JSON.parse(listed.stdout) as Array<{ dialect: string; kid: string }>).find((row) => row.dialect === 'prodmanager')!.kid
    const forged = ['*', `${kid.slice(0, 9)}*`, kid.slice(0, 14), `certificate:${kid}`, `../signing/${kid}`, `${kid} `, kid.toLowerCase(), prodmanagerKid]
    // Side by side: each attempt is a process of its own.
    const attempts = await Promise.all(forged.map((attempt) => polytoken(['keys', 'certificate', 'crew', '--', attempt], env)))
    attempts.forEach((result, index) => {
      assert.equal(result.status, 1, `${forged[index]}: ${result.stdout}${result.stderr}`)
      assert.equal(result.stdout, '', `${forged[index]} printed something`)
      assert.doesNotMatch(result.stderr, /BEGIN CERTIFICATE/)
    })
    const after = await polytoken(['keys', 'list', '--json'], env)
    assert.equal(after.stdout, listed.stdout, 'a forged kid changed the key rings')
  } finally {
    rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true })
  }
})
