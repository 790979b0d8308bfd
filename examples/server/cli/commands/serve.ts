import { ExitCode, type Command } from '../command.js'

/** The server `npm start` runs, from the same main.ts: same configuration, same `--workers`. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the token server (what `npm start` runs)',
  help: `usage: polytoken serve [--workers N]

Runs the polytoken server with every dialect configured in config.json (POLYTOKEN_CONFIG) on its store
(POLYTOKEN_STORE), as \`npm start\` does. Stops cleanly on SIGTERM (docs/operations.md#shutdown).

  --workers N   N processes (node:cluster) on one port sharing the store (or POLYTOKEN_WORKERS)`,
  options: { workers: { type: 'string' } },
  async run() {
    // main.ts reads --workers from process.argv itself, and cluster workers re-run this same command line.
    await import('../../main.js')
    return ExitCode.ok
  },
}
