import type { ParseArgsConfig } from 'node:util'

/**
 * Exit codes of every command (docs/cli.md#exit-codes). Scripts branch on them, so they never change meaning.
 */
export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is no: no such user, token or node; a check that failed. */
  failed: 1,
  /** Wrong arguments or options: nothing was done. */
  usage: 2,
  /** The configuration (file or environment) is invalid: nothing was done. */
  config: 3,
  /** The store did not answer: nothing was done, or the command stopped part way (it says which). */
  store: 4,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Where a command reads and writes: the process's streams in the bin, buffers in unit tests. */
export interface CliIo {
  env: NodeJS.ProcessEnv
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>

export interface Command {
  name: string
  /** One line for `polytoken --help`. */
  summary: string
  /** Usage lines and option descriptions for `polytoken <name> --help`. */
  help: string
  /** Options for node:util parseArgs (strict); `--help` and `--json` are added for every command. */
  options?: OptionsConfig
  /**
   * Run with the positionals after the command name (sub-command first, if any) and the parsed option values.
   * Throw UsageError for bad arguments; ConfigInvalid and StoreUnavailable map to their exit codes in main.ts.
   */
  run(args: { positionals: string[]; values: Record<string, string | boolean | string[] | boolean[] | undefined>; io: CliIo }): Promise<ExitCode>
}
