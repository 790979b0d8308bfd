import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../examples/server/load-config.js'
import { MAX_SECRET_FILE_BYTES } from '../../examples/server/file-secrets.js'

/**
 * The examples server's configuration from the environment and from files (<VAR>_FILE), as someone who
 * controls part of a deployment's environment might forge it: files that are not secrets, variable names that
 * reach for the prototype, values that would end up in a log if an error quoted them.
 */

const dir = mkdtempSync(join(tmpdir(), 'polytoken-config-abuse-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../examples/server/config.json', import.meta.url)), 'utf8')) as Record<string, any>
const configFile = join(dir, 'config.json')
writeFileSync(configFile, JSON.stringify(example))
const load = (env: Record<string, string>) => loadConfig({ POLYTOKEN_CONFIG: configFile, ...env })

function refused(env: Record<string, string>, message: RegExp, secrets: string[] = []): void {
  assert.throws(
    () => load(env),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_CONFIG_INVALID', error.message)
      assert.match(error.message, message)
      for (const secret of secrets) assert.ok(!error.message.includes(secret), `the message repeats a value: ${error.message}`)
      return true
    },
    JSON.stringify(Object.keys(env)),
  )
}

test('a _FILE that is a directory, a device, missing, or a symlink loop: refused naming the variable and the path', () => {
  const loop = join(dir, 'loop')
  symlinkSync(loop, loop)
  refused({ POLYTOKEN_MASTER_KEY_FILE: dir }, new RegExp(`^POLYTOKEN_MASTER_KEY_FILE: cannot read "${dir}": not a regular file$`))
  refused({ PRODMANAGER_SECRET_FILE: '/dev/zero' }, /^PRODMANAGER_SECRET_FILE: cannot read "\/dev\/zero": not a regular file$/)
  refused({ POLYTOKEN_MASTER_KEY_FILE: join(dir, 'missing') }, /^POLYTOKEN_MASTER_KEY_FILE: cannot read ".*missing": ENOENT$/)
  refused({ POLYTOKEN_MASTER_KEY_FILE: loop }, /^POLYTOKEN_MASTER_KEY_FILE: cannot read ".*loop": ELOOP$/)
  refused({ POLYTOKEN_MASTER_KEY_FILE: '' }, /^POLYTOKEN_MASTER_KEY_FILE: empty: it must name a file$/)
})

test('a huge _FILE is refused before it is read: a sparse 8 GiB file, and one byte past the limit', () => {
  const huge = join(dir, 'huge')
  writeFileSync(huge, '')
  truncateSync(huge, 8 * 1024 ** 3)
  refused({ POLYTOKEN_MASTER_KEY_FILE: huge }, /^POLYTOKEN_MASTER_KEY_FILE: cannot read ".*huge": larger than 1048576 bytes$/)
  const justOver = join(dir, 'just-over')
  writeFileSync(justOver, 'x'.repeat(MAX_SECRET_FILE_BYTES + 1))
  refused({ POLYTOKEN_MASTER_KEY_FILE: justOver }, /larger than 1048576 bytes$/)
  const atLimit = join(dir, 'at-limit')
  writeFileSync(atLimit, 'k'.repeat(MAX_SECRET_FILE_BYTES))
  assert.equal(load({ POLYTOKEN_MASTER_KEY_FILE: atLimit }).masterKey.length, MAX_SECRET_FILE_BYTES)
})

test("a _FILE's content is never repeated in an error, whatever key it is for", () => {
  const secret = 'file-content-that-must-stay-secret'
  const path = join(dir, 'secret')
  writeFileSync(path, secret)
  refused({ POLYTOKEN_PORT_FILE: path }, /^POLYTOKEN_PORT_FILE: port must be a whole number$/, [secret])
  refused({ POLYTOKEN_CREW__USERS_FILE: path }, /^POLYTOKEN_CREW__USERS_FILE: crew\.users must be a JSON object$/, [secret])
  writeFileSync(path, `{"genedna": {"password": "${secret}", "passwrd": "${secret}"}}`)
  refused({ POLYTOKEN_CREW__USERS_FILE: path }, /^POLYTOKEN_CREW__USERS_FILE: crew\.users\.genedna\.passwrd: is not an option/, [secret])
  writeFileSync(path, `{"genedna": {"password": "${secret}"`)
  refused({ POLYTOKEN_CREW__USERS_FILE: path }, /^POLYTOKEN_CREW__USERS_FILE: crew\.users must be JSON \(object\), and is not valid JSON$/, [secret])
})

test('variable names with odd segments: empty, __PROTO__, CONSTRUCTOR, lower case, punctuation: refused, the prototype untouched', () => {
  const value = '{"polluted": "yes"}'
  const names = [
    'POLYTOKEN_',
    'POLYTOKEN__',
    'POLYTOKEN___PROTO__',
    'POLYTOKEN___PROTO____POLLUTED',
    'POLYTOKEN_CREW____PROTO__',
    'POLYTOKEN_CREW____PROTO____POLLUTED',
    'POLYTOKEN_CREW__USERS____PROTO__',
    'POLYTOKEN_CREW__',
    'POLYTOKEN__CREW',
    'POLYTOKEN_CREW___ISSUER',
    'POLYTOKEN_CONSTRUCTOR',
    'POLYTOKEN_CONSTRUCTOR__PROTOTYPE__POLLUTED',
    'POLYTOKEN_CREW__CONSTRUCTOR',
    'POLYTOKEN_CREW__USERS__CONSTRUCTOR__PASSWORD',
    'POLYTOKEN_CREW__USERS__PROTO',
    'POLYTOKEN_PROTOTYPE',
    'POLYTOKEN_HAS_OWN_PROPERTY',
    'POLYTOKEN_TO_STRING',
    'POLYTOKEN_crew__issuer',
    'POLYTOKEN_CREW__ISSUER ',
    'POLYTOKEN_CREW.ISSUER',
    'POLYTOKEN_ZAZZ__CLIENTS__-1__SECRET',
    'POLYTOKEN_ZAZZ__CLIENTS__01__SECRET',
    'POLYTOKEN_ZAZZ__CLIENTS__1E3__SECRET',
    'POLYTOKEN_ZAZZ__CLIENTS__99999999999999999999__SECRET',
    'POLYTOKEN_ZAZZ__CLIENTS__LENGTH',
    'POLYTOKEN_SAGRADA__NODES__HTTP',
  ]
  for (const name of names) refused({ [name]: value }, new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), [value, 'polluted'])
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false)
})

test('JSON with a __proto__ key, in a value or in the file: a plain key of a plain object, the prototype untouched', () => {
  const users = load({ POLYTOKEN_CREW__USERS: '{"__proto__": {"password": "polluter"}, "genedna": {"password": "x"}}' }).sections.crew!.users as Record<string, unknown>
  assert.equal(Object.getPrototypeOf(users), Object.prototype)
  assert.equal(({} as Record<string, unknown>).password, undefined)
  const file = join(dir, 'proto.json')
  writeFileSync(file, JSON.stringify(example).replace('"users":{', '"users":{"__proto__":{"password":"from-the-file"},'))
  const config = loadConfig({ POLYTOKEN_CONFIG: file, POLYTOKEN_CREW__USERS__GENEDNA__PASSWORD: 'y' })
  assert.equal(Object.getPrototypeOf(config.sections.crew!.users), Object.prototype)
  assert.equal(({} as Record<string, unknown>).password, undefined)
})

test('values of the wrong type or shape are refused without being repeated', () => {
  const secret = 'Sup3r-secret-value'
  refused({ POLYTOKEN_CREW__X5C: secret }, /^POLYTOKEN_CREW__X5C: crew\.x5c must be true or false$/, [secret])
  refused({ POLYTOKEN_CREW__ALGORITHM: secret }, /^POLYTOKEN_CREW__ALGORITHM: crew\.algorithm: must be one of/, [secret])
  refused({ POLYTOKEN_HTTP: `{"maxConnections": "${secret}"}` }, /^POLYTOKEN_HTTP: http\.maxConnections: must be an integer$/, [secret])
  refused({ POLYTOKEN_CREW__SERVICE: `[${secret}` }, /^POLYTOKEN_CREW__SERVICE: crew\.service: must match pattern/, [secret])
  refused({ PRODMANAGER_SECRET: 'a', POLYTOKEN_PRODMANAGER__SECRET: secret }, /both set prodmanager\.secret/, [secret])
})

test('a _FILE of a variable the server reads elsewhere, and one nested in a directory of secrets, are not followed blindly', () => {
  refused({ POLYTOKEN_CONFIG_FILE: '/etc/passwd' }, /^POLYTOKEN_CONFIG_FILE: the configuration has no key CONFIG_FILE/, ['root:'])
  const secrets = join(dir, 'run-secrets')
  mkdirSync(secrets)
  writeFileSync(join(secrets, 'master-key'), 'master-key-through-a-symlink-0123456789\n')
  symlinkSync(join(secrets, 'master-key'), join(dir, 'master-key-link'))
  assert.equal(load({ POLYTOKEN_MASTER_KEY_FILE: join(dir, 'master-key-link') }).masterKey, 'master-key-through-a-symlink-0123456789', "Kubernetes' symlinked secret files work")
})
