/**
 * Mint a session token like the one TokenGenerator's callers bring: HS256,
 * no kid, {exp, iat, user_id}, signed with the session secret the examples
 * server uses (config.json's "token-generator".sessionSecret, or
 * TOKEN_GENERATOR_SESSION_SECRET; POLYTOKEN_CONFIG picks another config file).
 *
 *   npx tsx examples/token-generator/mint-session-token.ts --user <id> [--ttl <seconds>]
 *
 * Prints the token alone on stdout, so TOKEN=$(...) works. For trying the
 * server out: a real deployment gets its session tokens from the login service.
 */
import { parseArgs } from 'node:util'
import { SignJWT } from 'jose'
import { loadConfig } from '../server/load-config.js'
import { isExampleSessionSecret, sessionSecretOf } from '../server/dialects/token-generator.js'

const usage = 'usage: npx tsx examples/token-generator/mint-session-token.ts --user <id> [--ttl <seconds, default 14400>]'

function fail(message: string): never {
  console.error(`${message}\n${usage}`)
  process.exit(2)
}

let values: { user?: string; ttl?: string; help?: boolean }
try {
  ;({ values } = parseArgs({ options: { user: { type: 'string' }, ttl: { type: 'string', default: '14400' }, help: { type: 'boolean', short: 'h' } } }))
} catch (error) {
  fail((error as Error).message)
}
if (values.help) {
  console.log(usage)
  process.exit(0)
}
const user = values.user
if (!user) fail('--user is required')
const ttl = Number(values.ttl)
if (!Number.isSafeInteger(ttl) || ttl <= 0) fail('--ttl must be a positive number of seconds')

const config = loadConfig()
const section = config.sections['token-generator'] ?? {}
const secret = sessionSecretOf(section)
if (!secret) fail('no session secret: set "token-generator".sessionSecret in config.json or TOKEN_GENERATOR_SESSION_SECRET')
if (isExampleSessionSecret(secret)) console.error('warning: signing with the example session secret from config.json')

const now = Math.floor(Date.now() / 1000)
const token = await new SignJWT({ exp: now + ttl, iat: now, user_id: user }).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(new TextEncoder().encode(secret))
console.log(token)
