import { sagradaAdminOf, type SagradaAdmin } from '@polytoken/plugins'
import { ExitCode, UsageError, type CliIo, type Command } from '../command.js'
import { withAdminContext, type AdminContext } from '../context.js'
import { printDone, printRows } from '../output.js'

const USAGE = `usage: polytoken sagrada nodes list [--service NAME]
       polytoken sagrada nodes add <url> [--capacity N] [--type TYPE] [--service NAME]
       polytoken sagrada nodes drain <url> [--undo] [--service NAME]
       polytoken sagrada nodes capacity <url> <N> [--service NAME]
       polytoken sagrada user <email>`

/** `polytoken sagrada`: storage nodes and user records of the token server (docs/cli.md#sagrada). */
export const sagradaCommand: Command = {
  name: 'sagrada',
  summary: "sagrada's storage nodes (list, add, drain, capacity) and a user's uid, node and generation",
  help: `${USAGE}

Nodes are those of sagrada.nodes in config.json plus the changes kept in the store: nodes added, drained, resized.
Every allocation of a new user reads them from the store, so a change applies to the next new user on every
running server, with no restart.

  nodes list       every node of the service: capacity, users allocated, drained, origin (config or added)
  nodes add        a node joins the service. It must be one the servers can sign for: configured under
                   sagrada.nodes with its own secrets, or any URL when sagrada.secrets is set (the node shares
                   them). Secrets are never given to this command and never kept in the store.
  nodes drain      no new users go to the node; its users move to another node at their next key change
                   (new client state, new uid). --undo takes it back into allocation.
  nodes capacity   the most users the node takes (overrides config)
  user <email>     the user's record in each service: uid, node, generation, keysChangedAt, client state

  --service NAME   application-version (e.g. sync-1.5); may be left out when one service is configured
  --capacity N     for add: the node's capacity (default: its configured one)
  --type TYPE      for add: node_type in answers (default: configured, else mysql)
  --dialect KEY    the sagrada section of config.json (default sagrada)
  --json           print JSON

Exit codes: 0 done, 1 no such node, service or user (or refused), 2 bad arguments, 3 invalid configuration,
4 store unavailable.`,
  options: { service: { type: 'string' }, capacity: { type: 'string' }, type: { type: 'string' }, undo: { type: 'boolean' }, dialect: { type: 'string' } },
  async run({ positionals, values, io }) {
    const [area, ...rest] = positionals
    const json = values.json === true
    const dialect = (values.dialect as string | undefined) ?? 'sagrada'
    if (area === 'user') {
      const [email, ...extra] = rest
      if (email === undefined || extra.length > 0) throw new UsageError('user takes one email address')
      return withSagrada(io, dialect, async (admin) => {
        const rows = await admin.user(email)
        if (rows.length === 0) {
          io.stderr.write('polytoken sagrada: no user with this email in any service\n')
          return ExitCode.failed
        }
        printRows(io, rows, json)
        return ExitCode.ok
      })
    }
    if (area !== 'nodes') throw new UsageError(area === undefined ? 'nodes or user?' : `unknown area "${printable(area)}"`)
    const [action, url, count, ...extra] = rest
    if (extra.length > 0) throw new UsageError('too many arguments')
    switch (action) {
      case 'list':
        if (url !== undefined) throw new UsageError('list takes no argument')
        return withSagrada(io, dialect, async (admin) => {
          const services = values.service === undefined ? admin.services() : [serviceOf(admin, values.service)]
          const rows = (await Promise.all(services.map((service) => admin.nodes.list(service)))).flat()
          printRows(io, rows, json)
          return ExitCode.ok
        })
      case 'add': {
        if (url === undefined || count !== undefined) throw new UsageError('add takes one node URL')
        const capacity = values.capacity === undefined ? undefined : positiveInteger(values.capacity, '--capacity')
        return withSagrada(io, dialect, async (admin) => {
          const service = serviceOf(admin, values.service)
          await admin.nodes.add(service, url, { ...(capacity !== undefined ? { capacity } : {}), ...(typeof values.type === 'string' ? { type: values.type } : {}) })
          printDone(io, json, `added ${url} to ${service}`, { service, url })
          return ExitCode.ok
        })
      }
      case 'drain':
        if (url === undefined || count !== undefined) throw new UsageError('drain takes one node URL')
        return withSagrada(io, dialect, async (admin) => {
          const service = serviceOf(admin, values.service)
          const drained = values.undo !== true
          if (!(await admin.nodes.drain(service, url, drained))) return noSuchNode(io, service)
          printDone(io, json, `${drained ? 'drained' : 'undrained'} ${url} in ${service}`, { service, url, drained })
          return ExitCode.ok
        })
      case 'capacity': {
        if (url === undefined || count === undefined) throw new UsageError('capacity takes a node URL and a number')
        const capacity = positiveInteger(count, 'capacity', true)
        return withSagrada(io, dialect, async (admin) => {
          const service = serviceOf(admin, values.service)
          if (!(await admin.nodes.capacity(service, url, capacity))) return noSuchNode(io, service)
          printDone(io, json, `capacity of ${url} in ${service}: ${capacity}`, { service, url, capacity })
          return ExitCode.ok
        })
      }
      default:
        throw new UsageError(action === undefined ? 'which action: list, add, drain or capacity?' : `unknown action "${printable(action)}"`)
    }
  },
}

function withSagrada(io: CliIo, dialect: string, work: (admin: SagradaAdmin) => Promise<ExitCode>): Promise<ExitCode> {
  return withAdminContext(io, (context: AdminContext) => {
    const admin = sagradaAdminOf(context.dialect(dialect).instance)
    if (!admin) throw new UsageError(`the "${dialect}" section is not a sagrada dialect (--dialect names it)`)
    return work(admin)
  })
}

function serviceOf(admin: SagradaAdmin, given: string | boolean | undefined | (string | boolean)[]): string {
  const services = admin.services()
  if (given === undefined) {
    if (services.length === 1) return services[0]!
    throw new UsageError(`which service? --service ${services.join(' | ')}`)
  }
  if (typeof given !== 'string' || !services.includes(given)) throw new UsageError(`no service "${printable(typeof given === 'string' ? given : '')}" (configured: ${services.join(', ')})`)
  return given
}

function noSuchNode(io: CliIo, service: string): ExitCode {
  io.stderr.write(`polytoken sagrada: no such node in ${service} (polytoken sagrada nodes list)\n`)
  return ExitCode.failed
}

function positiveInteger(text: unknown, name: string, allowZero = false): number {
  const value = typeof text === 'string' && /^\d{1,9}$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) throw new UsageError(`${name}: a whole number${allowZero ? '' : ' above 0'}`)
  return value
}

/** An argument echoed back is shown, never interpreted by the terminal. */
function printable(text: string): string {
  return text.slice(0, 80).replace(/[^\x20-\x7e]/g, '?')
}
