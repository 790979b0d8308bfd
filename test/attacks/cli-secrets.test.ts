import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { cliEnv, polytoken, type CliResult } from '../cli/run-polytoken.js'

/**
 * The polytoken command never shows a password, a hash or a token: not a password typed as an argument (echoed in an
 * error), not one read from standard input, not a stored hash in a listing or an error. A username is never written
 * to the terminal raw: control characters are refused and shown escaped.
 */
const env = cliEnv()
after(() => rmSync(env.POLYTOKEN_DATA_DIR!, { recursive: true, force: true }))

const SECRET = 'Tr0ub4dor-cli-secret'
const output = (result: CliResult) => result.stdout + result.stderr

function assertNoSecret(result: CliResult, what: string): void {
  assert.ok(!output(result).includes(SECRET), `${what}: the password appears in the output:\n${output(result)}`)
  assert.ok(!output(result).includes('scrypt$'), `${what}: a password hash appears in the output`)
}

test('a password given as an argument is refused and never echoed, whatever follows it', async () => {
  for (const args of [
    ['users', 'add', 'zazz', 'mallory', SECRET],
    ['users', 'add', 'zazz', 'mallory', SECRET, '--no-such-option'],
    ['users', 'passwd', 'crew', 'mallory', `--password=${SECRET}`],
    ['users', 'add', 'crew', 'mallory', '-p', SECRET],
  ]) {
    const result = await polytoken(args, env)
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`)
    assertNoSecret(result, args.join(' '))
  }
})

test('a password from standard input appears in no output: add, a refused add, list, a passwd of nobody', async () => {
  const added = await polytoken(['users', 'add', 'zazz', 'mallory', '--json'], env, `${SECRET}\n`)
  assert.equal(added.status, 0, added.stderr)
  assertNoSecret(added, 'add')
  const again = await polytoken(['users', 'add', 'zazz', 'mallory'], env, `${SECRET}\n`)
  assert.equal(again.status, 1)
  assertNoSecret(again, 'the refused add')
  const listed = await polytoken(['users', 'list', 'zazz', '--json'], env)
  assert.equal(listed.status, 0, listed.stderr)
  assertNoSecret(listed, 'list')
  assert.ok(!/passwordHash|epoch/.test(listed.stdout), 'a listing holds no hash field and no login epoch')
  const nobody = await polytoken(['users', 'passwd', 'zazz', 'nobody'], env, `${SECRET}\n`)
  assert.equal(nobody.status, 1)
  assertNoSecret(nobody, 'passwd of nobody')
})

test('a username with control characters is refused before anything is opened, and shown escaped', async () => {
  const result = await polytoken(['users', 'add', 'zazz', 'evil\u001b[2J\u0007name'], env, `${SECRET}\n`)
  assert.equal(result.status, 2, result.stderr)
  // eslint-disable-next-line no-control-regex -- control characters are what must not be there
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(output(result)), 'no control character reaches the terminal')
  assert.match(result.stderr, /evil\\x1b\[2J\\x07name/)
  assertNoSecret(result, 'control characters')
})

test('a crew username with path segments is refused by the dialect', async () => {
  const crew = await polytoken(['users', 'add', 'crew', '../../etc/passwd'], env, `${SECRET}\n`)
  assert.equal(crew.status, 1, crew.stderr)
  assert.match(crew.stderr, /letters, digits and \. _ @ \+ -/)
  assertNoSecret(crew, 'crew path')
})
