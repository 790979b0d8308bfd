import { parseArgs } from 'node:util'
import { ConfigInvalid, StoreUnavailable } from '@polytoken/core'
import { ExitCode, UsageError, type CliIo, type Command } from './command.js'

const COMMON_OPTIONS = { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } } as const

/** `polytoken <command> [sub-command] [arguments] [options]`: picks the command, parses its options, maps failures to exit codes. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<ExitCode> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview(commands))
    return name === undefined ? ExitCode.usage : ExitCode.ok
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.stderr.write(`polytoken: unknown command "${printable(name)}"\n\n${overview(commands)}`)
    return ExitCode.usage
  }
  let parsed
  try {
    parsed = parseArgs({ args: [...rest], options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true })
  } catch (error) {
    // parseArgs quotes the argument it refused: that may be a password typed in the wrong place, so it is not repeated.
    const what = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 'an unknown option' : 'an option without its value, or a value where none is taken'
    io.stderr.write(`polytoken ${command.name}: ${what} (not repeated here: it may be a secret typed in the wrong place); an argument that starts with '-' goes after \`--\`\n\n${command.help}\n`)
    return ExitCode.usage
  }
  if (parsed.values.help) {
    io.stdout.write(`${command.help}\n`)
    return ExitCode.ok
  }
  try {
    return await command.run({ positionals: parsed.positionals, values: parsed.values, io })
  } catch (error) {
    return reportFailure(command, error, io)
  }
}

function reportFailure(command: Command, error: unknown, io: CliIo): ExitCode {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof UsageError) {
    io.stderr.write(`polytoken ${command.name}: ${message}\n\n${command.help}\n`)
    return ExitCode.usage
  }
  if (error instanceof ConfigInvalid) {
    io.stderr.write(`polytoken ${command.name}: invalid configuration (${error.code}): ${message}\n`)
    return ExitCode.config
  }
  if (error instanceof StoreUnavailable) {
    io.stderr.write(`polytoken ${command.name}: the store did not answer (${error.code}): ${message}\n`)
    return ExitCode.store
  }
  const code = (error as { code?: unknown })?.code
  io.stderr.write(`polytoken ${command.name}: ${typeof code === 'string' ? `(${code}) ` : ''}${message}\n`)
  return ExitCode.failed
}

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return `usage: polytoken <command> [arguments] [--json] [--help]

${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Every command reads the server's configuration: POLYTOKEN_CONFIG, POLYTOKEN_DATA_DIR, POLYTOKEN_STORE and the
rest of the environment (docs/configuration.md). \`polytoken <command> --help\` says more; docs/cli.md has it all.
Exit codes: 0 done, 1 failed or not found, 2 bad arguments, 3 invalid configuration, 4 store unavailable.
`
}

/** An argument echoed back is shown, never interpreted by the terminal. */
function printable(text: string): string {
  return text.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')
}
