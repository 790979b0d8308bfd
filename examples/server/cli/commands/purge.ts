import type { AdminRow } from '@polytoken/core'
import { ExitCode, type Command } from '../command.js'
import { withAdminContext } from '../context.js'
import { printRows } from '../output.js'

/** `polytoken purge`: what has expired, deleted now instead of on its next read (docs/cli.md#purge). */
export const purgeCommand: Command = {
  name: 'purge',
  summary: 'delete expired records from the store and the dialects',
  help: `usage: polytoken purge

Deletes what has expired and still takes room:
  - the store's expired records, where the backend keeps them until they are read (SQLite, PostgreSQL; the
    servers also sweep every minute). Redis expires keys itself: 0.
  - each dialect's records whose own expiry has passed although the store keeps them (only dialects that have
    such records: github-pats' per-user token index).
Prints one line per part with its count. Safe while servers run: nothing live is touched.

  --json   [{"part": "store", "kind": "sqlite", "purged": 12}, {"part": "github-pats", "purged": 0}]`,
  async run({ values, io }) {
    return withAdminContext(io, async (context) => {
      // The store first: a dialect's walk reads its records, and reading drops the expired ones uncounted.
      const store = context.runtime.store
      const rows: AdminRow[] = [{ part: 'store', kind: store.kind, purged: store.purgeExpired ? await store.purgeExpired() : 0 }]
      for (const mount of context.mounts) {
        const admin = context.runtime.instance(mount.dialect).admin
        if (admin?.purge) rows.push({ part: mount.key, kind: null, purged: await admin.purge() })
      }
      printRows(io, rows, values.json === true)
      return ExitCode.ok
    })
  },
}
