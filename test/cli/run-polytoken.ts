import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const BIN = join(root, 'examples/server/bin/polytoken.mjs')

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
  /** How long the command took: a store that does not answer must not make it hang. */
  ms: number
}

/**
 * The real `polytoken` bin as a child process, with `env` on top of this process's environment (NODE_OPTIONS carries
 * the test runner's source condition). `input` is written to its standard input, which is then closed.
 */
export function polytoken(args: readonly string[], env: Record<string, string>, input = '', timeoutMs = 60_000): Promise<CliResult> {
  const started = Date.now()
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.stdin.on('error', () => undefined)
  child.stdin.end(input)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`polytoken ${args[0] ?? ''} did not end in ${timeoutMs} ms:\n${stdout}\n${stderr}`))
    }, timeoutMs)
    child.on('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/**
 * A data directory of its own (SQLite file, crew certificate), a master key that is not the example one, and a config
 * file holding only `sections` of the examples server's config.json (fewer dialects set up: every command runs faster).
 */
export function cliEnv(extra: Record<string, string> = {}, sections: readonly string[] = ['prodmanager', 'crew', 'zazz']): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'polytoken-cli-'))
  const example = JSON.parse(readFileSync(join(root, 'examples/server/config.json'), 'utf8')) as Record<string, unknown>
  const config = Object.fromEntries(Object.entries(example).filter(([key]) => typeof example[key] !== 'object' || key === 'http' || sections.includes(key)))
  writeConfig(join(dataDir, 'config.json'), config)
  return {
    POLYTOKEN_DATA_DIR: dataDir,
    POLYTOKEN_CONFIG: join(dataDir, 'config.json'),
    POLYTOKEN_MASTER_KEY: 'cli-test-master-key-0123456789abcdef',
    ...extra,
  }
}

export function writeConfig(file: string, config: unknown): void {
  writeFileSync(file, JSON.stringify(config, null, 2))
}
