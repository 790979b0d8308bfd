import { runCli } from './run-cli.js'
import { commands } from './commands/index.js'

// exitCode, not exit(): `serve` returns while its server runs, and other commands end when their store closes.
process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, commands)
