import type { AdminRow } from '@polytoken/core'
import type { CliIo } from './command.js'

/**
 * A listing: JSON (one array) with --json, else an aligned table with a header row. Columns are the union of the
 * rows' keys in first-seen order, so every row prints the same columns.
 */
export function printRows(io: CliIo, rows: readonly AdminRow[], json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(rows)}\n`)
    return
  }
  if (rows.length === 0) {
    io.stdout.write('(none)\n')
    return
  }
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cells = [columns, ...rows.map((row) => columns.map((column) => cell(row[column])))]
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)))
  for (const line of cells)
    io.stdout.write(
      `${line
        .map((text, index) => text.padEnd(widths[index]!))
        .join('  ')
        .trimEnd()}\n`,
    )
}

function cell(value: AdminRow[string] | undefined): string {
  if (value === undefined || value === null) return '-'
  // A value is never allowed to break the table or the terminal: control characters become visible escapes.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return String(value).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** A one-line result of a command that changed something, or its JSON form with --json. */
export function printDone(io: CliIo, json: boolean, message: string, fields: AdminRow = {}): void {
  io.stdout.write(json ? `${JSON.stringify({ ok: true, ...fields })}\n` : `${message}\n`)
}
