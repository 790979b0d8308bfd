import type { CliIo } from './command.js'
import { UsageError } from './command.js'

/** The longest secret read: a password is bounded by the dialects anyway, and a runaway pipe must not fill memory. */
const MAX_SECRET_BYTES = 4096

/**
 * A password from standard input, never from argv (shell history, `ps`). On a terminal it is prompted for without
 * echo, twice when `confirm` is set; from a pipe, the first line is taken (one trailing newline stripped).
 */
export async function readSecret(io: CliIo, prompt: string, { confirm = false } = {}): Promise<string> {
  if (io.stdin.isTTY) {
    const first = await promptHidden(io, `${prompt}: `)
    if (confirm && (await promptHidden(io, `${prompt} again: `)) !== first) throw new UsageError('the two entries differ')
    return nonEmpty(first)
  }
  return nonEmpty(await readPiped(io))
}

function nonEmpty(secret: string): string {
  if (secret.length === 0) throw new UsageError('no password given on standard input')
  return secret
}

async function readPiped(io: CliIo): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += buffer.length
    if (size > MAX_SECRET_BYTES + 2) throw new UsageError(`standard input: more than ${MAX_SECRET_BYTES} bytes; expected one password`)
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  const line = text.replace(/\r?\n$/, '')
  if (/[\r\n]/.test(line)) throw new UsageError('standard input: expected one line holding the password')
  return line
}

/** Raw mode: characters are read one by one and never echoed; Ctrl-C aborts. */
function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const input = io.stdin as NodeJS.ReadStream
  io.stderr.write(prompt)
  return new Promise((resolve, reject) => {
    let secret = ''
    input.setRawMode?.(true)
    input.resume()
    const done = (error?: Error) => {
      input.setRawMode?.(false)
      input.pause()
      input.off('data', onData)
      io.stderr.write('\n')
      if (error) reject(error)
      else resolve(secret)
    }
    const onData = (data: Buffer | string) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return done()
        if (char === '\u0003') return done(new UsageError('aborted'))
        if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1)
        else secret += char
        if (Buffer.byteLength(secret) > MAX_SECRET_BYTES) return done(new UsageError(`more than ${MAX_SECRET_BYTES} bytes`))
      }
    }
    input.on('data', onData)
  })
}
