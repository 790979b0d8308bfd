import type { AdminRow, KeyInfo, KeyRingAdmin } from '@polytoken/core'
import { ExitCode, UsageError, type CliIo, type Command } from '../command.js'
import { withAdminContext, type AdminContext } from '../context.js'
import { printDone, printRows } from '../output.js'

const HELP = `usage: polytoken keys list [dialect] [--json]
       polytoken keys generate <dialect> [ring]
       polytoken keys promote <dialect> <kid> [--force]
       polytoken keys retire <dialect> <kid>
       polytoken keys certificate <dialect> <kid> [--json]

Rotates the signing keys polytoken generated and keeps in the store, while the servers run: every instance
re-reads its key rings every POLYTOKEN_KEY_REFRESH_MS (default 10 s). A key is next (published in the JWKS and
accepted, not signing), active (signs), or previous (verify-only, until retired). Keys from the configuration
are listed as configured and are rotated by changing the configuration, not here.

  list      every key of every ring (or one dialect's): dialect, ring, kid, algorithm, state, dates; never
            key material
  generate  add a key as next (one next key at a time); [ring] when the dialect has several rotatable rings
  promote   make a key the signing key; the active one becomes previous. Refused for a key younger than the
            refresh interval (an instance may not accept its tokens yet) unless --force
  retire    remove a key that is not active: instances stop publishing and accepting it within the refresh
            interval. Wait the longest token lifetime after promote first, or its tokens fail early
  certificate  print the PEM certificate a verifier outside polytoken trusts for a key (crew: add a next key's to
            the registry's rootcertbundle before promoting it)

Safe rotation: generate, wait the refresh interval (and the JWKS max-age of 300 s if others verify with it),
promote, wait the longest token lifetime, retire the old kid (docs/operations.md#rotating-keys).

  --force   promote a next key younger than the refresh interval
  --json    print JSON`

/** `polytoken keys list|generate|promote|retire|certificate`: key rotation without restarts. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'list, generate, promote and retire signing keys (rotation without restarts)',
  help: HELP,
  options: { force: { type: 'boolean' } },
  async run({ positionals, values, io }) {
    const [action, dialect, third, ...extra] = positionals
    const json = values.json === true
    if (extra.length > 0) throw new UsageError(`unexpected argument "${printable(extra[0]!)}"`)
    if (values.force && action !== 'promote') throw new UsageError('--force applies to promote only')
    switch (action) {
      case 'list':
        if (third !== undefined) throw new UsageError(`unexpected argument "${printable(third)}"`)
        return withAdminContext(io, (context) => list(context, io, json, dialect))
      case 'generate':
        if (!dialect) throw new UsageError('generate needs a dialect')
        return withAdminContext(io, (context) => generate(context, io, json, dialect, third))
      case 'promote':
      case 'retire':
        if (!dialect || !third) throw new UsageError(`${action} needs a dialect and a kid`)
        return withAdminContext(io, (context) => change(context, io, json, action, dialect, third, values.force === true))
      case 'certificate':
        if (!dialect || !third) throw new UsageError('certificate needs a dialect and a kid')
        return withAdminContext(io, (context) => certificate(context, io, json, dialect, third))
      case undefined:
        throw new UsageError('which action: list, generate, promote, retire or certificate?')
      default:
        throw new UsageError(`unknown action "${printable(action)}" (list, generate, promote, retire, certificate)`)
    }
  },
}

/** The key rings of the dialect configured under `key` (its config.json section). */
function ringsOf(context: AdminContext, key: string): KeyRingAdmin[] {
  const { dialect } = context.dialect(key)
  return context.runtime.keyRings().filter((ring) => ring.dialect === dialect.name)
}

async function list(context: AdminContext, io: CliIo, json: boolean, only: string | undefined): Promise<ExitCode> {
  const keys = only === undefined ? context.mounts.map((mount) => mount.key) : [only]
  const rows: AdminRow[] = []
  for (const key of keys) {
    for (const ring of ringsOf(context, key)) for (const info of await ring.list()) rows.push(row(key, ring, info))
  }
  printRows(io, rows, json)
  return ExitCode.ok
}

async function generate(context: AdminContext, io: CliIo, json: boolean, key: string, ringName: string | undefined): Promise<ExitCode> {
  const rings = ringsOf(context, key)
  let ring: KeyRingAdmin | undefined
  if (ringName !== undefined) {
    ring = rings.find((candidate) => candidate.name === ringName)
    if (!ring) throw new UsageError(`${key} has no key ring "${printable(ringName)}" (rings: ${rings.map((r) => r.name).join(', ') || 'none'})`)
  } else {
    const rotatable = rings.filter((candidate) => candidate.rotatable)
    if (rotatable.length > 1) throw new UsageError(`${key} has several rotatable key rings: name one (${rotatable.map((r) => r.name).join(', ')})`)
    // No rotatable ring: the first one refuses with the reason (its key is configured).
    ring = rotatable[0] ?? rings[0]
    if (!ring) throw new UsageError(`${key} has no key ring`)
  }
  const info = await ring.generate()
  const wait = seconds(ring.refreshMs)
  printDone(io, json, `generated key "${info.kid}" in ${key} ring "${ring.name}" as next: every instance publishes and accepts it within ${wait} s; then promote it`, row(key, ring, info))
  return ExitCode.ok
}

async function change(context: AdminContext, io: CliIo, json: boolean, action: 'promote' | 'retire', key: string, kid: string, force: boolean): Promise<ExitCode> {
  const rings = ringsOf(context, key)
  // The ring that holds the kid; a configured key's ring refuses with its reason, an unknown kid is "not found".
  let ring: KeyRingAdmin | undefined
  for (const candidate of rings) if ((await candidate.list()).some((info) => info.kid === kid)) ring = candidate
  if (!ring) {
    io.stderr.write(`polytoken keys ${action}: ${key} has no key "${printable(kid)}" (polytoken keys list ${key})\n`)
    return ExitCode.failed
  }
  if (action === 'promote') {
    const info = await ring.promote(kid, { force })
    printDone(
      io,
      json,
      `key "${info.kid}" of ${key} ring "${ring.name}" is active: every instance signs with it within ${seconds(ring.refreshMs)} s; retire the previous key once its tokens have expired`,
      row(key, ring, info),
    )
  } else {
    const info = await ring.retire(kid)
    printDone(io, json, `key "${info.kid}" of ${key} ring "${ring.name}" is retired: every instance stops publishing and accepting it within ${seconds(ring.refreshMs)} s`, {
      ...row(key, ring, info),
      state: 'retired',
    })
  }
  return ExitCode.ok
}

/** The certificate of one key, for a verifier's trust bundle: only from a dialect that hands one out (crew). */
async function certificate(context: AdminContext, io: CliIo, json: boolean, key: string, kid: string): Promise<ExitCode> {
  const admin = context.dialect(key).instance.admin
  if (!admin?.certificate) throw new UsageError(`${key} hands no certificate to verifiers (crew does, for its registry's rootcertbundle)`)
  const pem = await admin.certificate(kid)
  if (pem === undefined) {
    io.stderr.write(`polytoken keys certificate: ${key} has no key "${printable(kid)}" (polytoken keys list ${key})\n`)
    return ExitCode.failed
  }
  io.stdout.write(json ? `${JSON.stringify({ dialect: key, kid, certificate: pem })}\n` : pem.endsWith('\n') ? pem : `${pem}\n`)
  return ExitCode.ok
}

function row(dialect: string, ring: KeyRingAdmin, info: KeyInfo): AdminRow {
  return {
    dialect,
    ring: ring.name,
    kid: info.kid,
    algorithm: info.algorithm,
    state: info.state,
    created: info.createdAt === undefined ? null : new Date(info.createdAt).toISOString(),
    changed: info.changedAt === undefined ? null : new Date(info.changedAt).toISOString(),
  }
}

const seconds = (ms: number) => Math.ceil(ms / 1000)

/** An argument echoed back is shown, never interpreted by the terminal. */
function printable(text: string): string {
  return text.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')
}
