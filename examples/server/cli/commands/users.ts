import type { AdminUsers } from '@polytoken/core'
import { ExitCode, UsageError, type Command } from '../command.js'
import { withAdminContext, type AdminContext } from '../context.js'
import { printDone, printRows } from '../output.js'
import { readSecret } from '../read-secret.js'

const ACTIONS = ['list', 'add', 'passwd', 'remove'] as const
type Action = (typeof ACTIONS)[number]

/** `polytoken users`: the users zazz and crew keep in the store (docs/cli.md#users). */
export const usersCommand: Command = {
  name: 'users',
  summary: 'list, add, remove users kept in the store, or change their password (zazz, crew)',
  help: `usage: polytoken users list <dialect>
       polytoken users add <dialect> <username>
       polytoken users passwd <dialect> <username>
       polytoken users remove <dialect> <username>

Users a dialect keeps in its store (zazz, crew), next to those of the config file. <dialect> is the dialect's
section name in config.json. add and passwd read the password from standard input (the first line), or prompt
for it twice without echo on a terminal: never pass it as an argument. It is hashed with the dialect's own
scrypt cost. A running server accepts an added user at once, and refuses a removed user or an old password on
its next request (docs/cli.md#users).

A user of the config file is listed (source "config") but never changed here: add refuses its name, passwd and
remove refuse it. Change it in the config file.

  --json   list: a JSON array; add, passwd, remove: {"ok": true, ...}`,
  async run({ positionals, values, io }) {
    const [action, dialectKey, username, ...extra] = positionals
    if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`expected one of: ${ACTIONS.join(', ')}`)
    if (dialectKey === undefined) throw new UsageError('expected a dialect (its section name in the config file, e.g. zazz or crew)')
    const wantsUser = action !== 'list'
    if (wantsUser && username === undefined) throw new UsageError(`${action}: expected a username`)
    // Never echoed: an extra argument is most likely a password typed where it must not be.
    const surplus = wantsUser ? extra.length : extra.length + (username === undefined ? 0 : 1)
    if (surplus > 0) throw new UsageError(`${action}: too many arguments (a password is read from standard input, never from the command line)`)
    if (username !== undefined) checkUsername(username)
    const json = values.json === true
    return withAdminContext(io, async (context) => {
      const users = usersOf(context, dialectKey)
      return run(action as Action, users, username ?? '', { dialectKey, json, io })
    })
  },
}

async function run(action: Action, users: AdminUsers, username: string, { dialectKey, json, io }: { dialectKey: string; json: boolean; io: Parameters<Command['run']>[0]['io'] }): Promise<ExitCode> {
  const fields = { dialect: dialectKey, username }
  switch (action) {
    case 'list':
      printRows(io, await users.list(), json)
      return ExitCode.ok
    case 'add':
      await users.add(username, await readSecret(io, `password for ${username}`, { confirm: true }))
      printDone(io, json, `added ${dialectKey} user ${username}`, fields)
      return ExitCode.ok
    case 'passwd':
      await users.passwd(username, await readSecret(io, `new password for ${username}`, { confirm: true }))
      printDone(io, json, `changed the password of ${dialectKey} user ${username}: every login of the user has ended`, fields)
      return ExitCode.ok
    case 'remove':
      if (!(await users.remove(username))) {
        io.stderr.write(`polytoken users: no ${dialectKey} user ${username} in the store\n`)
        return ExitCode.failed
      }
      printDone(io, json, `removed ${dialectKey} user ${username}`, fields)
      return ExitCode.ok
  }
}

function usersOf(context: AdminContext, dialectKey: string): AdminUsers {
  const users = context.dialect(dialectKey).instance.admin?.users
  if (users) return users
  const keeping = context.mounts.filter((mount) => context.runtime.instance(mount.dialect).admin?.users).map((mount) => mount.key)
  throw new UsageError(`dialect "${dialectKey}" keeps no users in the store (dialects that do: ${keeping.join(', ') || 'none configured'})`)
}

/**
 * Control characters would reach the terminal (and the store) as they are: refused before anything is opened, and
 * shown escaped. What else a name may hold is the dialect's rule (crew: letters, digits and . _ @ + -).
 */
function checkUsername(username: string): void {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const control = /[\u0000-\u001f\u007f-\u009f]/
  if (control.test(username) || username.length === 0 || username.length > 128) {
    const shown = username.slice(0, 64).replace(new RegExp(control, 'g'), (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    throw new UsageError(`username "${shown}": 1 to 128 characters, no control characters`)
  }
}
