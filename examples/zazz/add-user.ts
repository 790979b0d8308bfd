/**
 * Add (or with --update, change) a Zazz user in the store the examples server uses.
 *
 *   printf '%s' "$PASSWORD" | npx tsx examples/zazz/add-user.ts --username alice --password-stdin \
 *     [--display-name 'Alice A.'] [--account-type User|Club] [--confirmed] [--user-id 42] [--update]
 *
 * The password is read from standard input only (never argv: it would land in
 * shell history and `ps`). Same config.json and environment as the server
 * (POLYTOKEN_CONFIG, POLYTOKEN_STORE, POLYTOKEN_DATA_DIR), same hash cost.
 */
import { parseArgs } from 'node:util'
import { createStore } from '@polytoken/core'
import { createZazzUsers } from '@polytoken/plugins'
import { loadConfig } from '../server/load-config.js'

const USAGE = 'usage: add-user.ts --username NAME --password-stdin [--display-name TEXT] [--account-type User|Club] [--confirmed] [--user-id N] [--update]'

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  // One trailing newline is how `echo` and editors end a line, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

async function main(): Promise<number> {
  let args
  try {
    args = parseArgs({
      options: {
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'display-name': { type: 'string' },
        'account-type': { type: 'string' },
        confirmed: { type: 'boolean' },
        'user-id': { type: 'string' },
        update: { type: 'boolean' },
      },
      strict: true,
    }).values
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  if (!args.username || !args['password-stdin']) {
    console.error(USAGE)
    return 2
  }
  const accountType = args['account-type']
  if (accountType !== undefined && accountType !== 'User' && accountType !== 'Club') {
    console.error('--account-type: User or Club')
    return 2
  }
  const password = await readStdin()
  if (password.length === 0) {
    console.error('no password on standard input')
    return 2
  }
  const config = loadConfig(process.env)
  const section = config.sections.zazz ?? {}
  const backend = await createStore({ url: config.store })
  try {
    const users = createZazzUsers(backend.namespace('zazz'), section.passwordHash ? { passwordHash: section.passwordHash } : {})
    const record = await users.add(
      {
        username: args.username,
        password,
        ...(args['display-name'] !== undefined ? { displayName: args['display-name'] } : {}),
        ...(accountType !== undefined ? { accountType } : {}),
        ...(args.confirmed ? { isConfirmed: true } : {}),
        ...(args['user-id'] !== undefined ? { userId: Number(args['user-id']) } : {}),
      },
      { update: args.update === true },
    )
    console.log(
      JSON.stringify({ userId: record.userId, username: record.username, accountType: record.accountType, isConfirmed: record.isConfirmed, displayName: record.displayName ?? record.username }),
    )
    return 0
  } catch (error) {
    console.error(`add-user: ${(error as Error).message}`)
    return 1
  } finally {
    await backend.close()
  }
}

process.exitCode = await main()
