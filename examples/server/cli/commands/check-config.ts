import { ConfigInvalid, storePackageFor } from '@polytoken/core'
import { baseUrlOf, buildMounts } from '../../app.js'
import { loadConfig } from '../../load-config.js'
import { ExitCode, type CliIo, type Command } from '../command.js'

/** `polytoken check-config`: the configuration as the server would read it, checked without opening the store. */
export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'validate the config file and environment against the server and dialect schemas (no store opened)',
  help: `usage: polytoken check-config

Reads the configuration exactly as \`polytoken serve\` does (POLYTOKEN_CONFIG, or examples/server/config.json, and
the environment) and builds every configured dialect, which checks its section against its schema. The store is
not opened (only its URL scheme is checked), so this runs before a deployment, in CI, or while the store is down.
An unknown key or a wrong type fails with its path (e.g. crew.loginAttempts.max).

Exit 0 and one line "OK" when valid; exit 3 with the error otherwise. Settings left at their example values
(the example master key, "changeit" passwords) are named on standard error: valid, but not for production.

  --json   {"ok": true, "config": ..., "dialects": [...], "exampleSecrets": [...]} or {"ok": false, "code": ..., "error": ...}`,
  async run({ values, io }) {
    const json = values.json === true
    const file = io.env.POLYTOKEN_CONFIG ?? 'examples/server/config.json'
    let result: { dialects: string[]; exampleSecrets: string[]; store: string }
    try {
      result = await check(io)
    } catch (error) {
      return fail(io, json, error)
    }
    if (json) io.stdout.write(`${JSON.stringify({ ok: true, config: file, ...result })}\n`)
    else io.stdout.write(`OK: ${file}: dialects ${result.dialects.join(', ') || '(none)'}; store ${result.store}\n`)
    if (!json && result.exampleSecrets.length > 0) io.stderr.write(`warning: still at their example values: ${result.exampleSecrets.join(', ')}\n`)
    return ExitCode.ok
  },
}

async function check(io: CliIo): Promise<{ dialects: string[]; exampleSecrets: string[]; store: string }> {
  const config = loadConfig(io.env)
  // The scheme only, and whether its package is installed is left to start-up: the URL may carry a password.
  storePackageFor({ url: config.store })
  // Building a dialect validates its options (each dialect's factory throws ConfigInvalid naming the key).
  const { mounts, warnings } = await buildMounts(config, io.env, baseUrlOf(config, io.env))
  return { dialects: mounts.map((mount) => mount.key), exampleSecrets: warnings, store: config.store.slice(0, config.store.indexOf(':') + 1) || config.store }
}

/** Every failure here is about the configuration: the file, the environment, or a file a section names. */
function fail(io: CliIo, json: boolean, error: unknown): ExitCode {
  const message = error instanceof Error ? error.message : String(error)
  const own = (error as { code?: unknown })?.code
  const code = error instanceof ConfigInvalid ? error.code : typeof own === 'string' ? own : 'ERR_CONFIG_INVALID'
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, code, error: message })}\n`)
  io.stderr.write(`polytoken check-config: invalid configuration (${code}): ${message}\n`)
  return ExitCode.config
}
