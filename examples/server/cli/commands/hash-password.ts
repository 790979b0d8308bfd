import { hashPassword } from '@polytoken/core'
import { ExitCode, UsageError, type Command } from '../command.js'
import { readSecret } from '../read-secret.js'

/** For config.json users (crew `passwordHash`, zazz `passwordHash`): the password never sits in the file in clear. */
export const hashPasswordCommand: Command = {
  name: 'hash-password',
  summary: 'hash a password (read from standard input or a prompt) for a config file',
  help: `usage: polytoken hash-password [--cost N]

Reads one password from standard input (or prompts for it twice on a terminal, without echo) and prints its
scrypt hash (scrypt$N$r$p$salt$hash), to put in a user's "passwordHash" in config.json. Never pass the password
as an argument: it would land in the shell's history and in \`ps\`.

  --cost N   scrypt's N, a power of two from 2^14 to 2^20 (default 16384, the dialects' default)
  --json     print {"hash": "..."}`,
  options: { cost: { type: 'string' } },
  async run({ values, io }) {
    const cost = values.cost === undefined ? 16384 : Number(values.cost)
    if (!Number.isInteger(cost) || cost < 16384 || cost > 1048576 || (cost & (cost - 1)) !== 0) throw new UsageError('--cost: a power of two from 16384 to 1048576')
    const password = await readSecret(io, 'password', { confirm: true })
    const hash = await hashPassword(password, { N: cost })
    io.stdout.write(values.json ? `${JSON.stringify({ hash })}\n` : `${hash}\n`)
    return ExitCode.ok
  },
}
