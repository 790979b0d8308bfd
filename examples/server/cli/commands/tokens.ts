import type { AdminTokens } from '@polytoken/core'
import { ExitCode, UsageError, type Command } from '../command.js'
import { withAdminContext, type AdminContext } from '../context.js'
import { printDone, printRows } from '../output.js'

const USAGE = `usage: polytoken tokens list <dialect> [--subject NAME] [--json]
       polytoken tokens revoke <dialect> <id> [--json]`

/** `polytoken tokens list|revoke`: prodmanager records, zazz login families, crew refresh tokens (docs/cli.md#tokens). */
export const tokensCommand: Command = {
  name: 'tokens',
  summary: 'list or revoke long-lived grants: prodmanager tokens, zazz logins, crew refresh tokens',
  help: `${USAGE}

<dialect> is the dialect's section in config.json (prodmanager, zazz, crew). A listing shows one row per grant:
its id (prodmanager: the token's jti; zazz: the login family id; crew: the refresh token's SHA-256 fingerprint),
subject, client, scope, and its times in ISO 8601 UTC. Never a token: the ids cannot be used as credentials.

revoke <id> ends the grant in the store at once. Running servers refuse it on the next refresh, and refuse access
tokens still cached by an instance within the verification cache's maxTtlMs (default 5 s).
A listing walks the dialect's whole store namespace: an operator's command, slow on a very large store.

  --subject NAME   only the grants of this subject (matched exactly, after the walk)
  --json           print a JSON array (list) or {"ok": true, "id": ...} (revoke)

Exit codes: 0 done, 1 no such grant, 2 bad arguments, 3 invalid configuration, 4 store unavailable.`,
  options: { subject: { type: 'string' } },
  async run({ positionals, values, io }) {
    const [action, dialect, id, ...extra] = positionals
    const json = values.json === true
    if (action !== 'list' && action !== 'revoke') throw new UsageError(action === undefined ? 'which action: list or revoke?' : `unknown action "${printable(action)}"`)
    if (dialect === undefined) throw new UsageError('which dialect? (prodmanager, zazz, crew)')
    if (action === 'list' && id !== undefined) throw new UsageError('list takes no id')
    if (action === 'revoke' && id === undefined) throw new UsageError('revoke takes the id of a grant (from tokens list)')
    if (action === 'revoke' && values.subject !== undefined) throw new UsageError('--subject is for list')
    if (extra.length > 0) throw new UsageError('too many arguments')
    return withAdminContext(io, async (context) => {
      const tokens = tokensOf(context, dialect)
      if (action === 'list') {
        const subject = values.subject as string | undefined
        const rows = await tokens.list()
        printRows(io, subject === undefined ? rows : rows.filter((row) => row.subject === subject), json)
        return ExitCode.ok
      }
      if (!(await tokens.revoke(id!))) {
        // The id is not echoed: an operator who pasted a token by mistake must not see it printed back into a log.
        io.stderr.write(`polytoken tokens: ${dialect} has no live grant with this id\n`)
        return ExitCode.failed
      }
      printDone(io, json, `revoked ${dialect} ${id!}`, { id: id! })
      return ExitCode.ok
    })
  },
}

function tokensOf(context: AdminContext, key: string): AdminTokens {
  const { instance } = context.dialect(key)
  if (!instance.admin?.tokens) throw new UsageError(`the ${key} dialect keeps no grants to list or revoke (prodmanager, zazz and crew do)`)
  return instance.admin.tokens
}

/** An argument echoed back is shown, never interpreted by the terminal. */
function printable(text: string): string {
  return text.slice(0, 80).replace(/[^\x20-\x7e]/g, '?')
}
