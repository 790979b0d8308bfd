import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { ConfigInvalid } from '@polytoken/core'

/**
 * `<VAR>_FILE`: a setting read from a file, as Docker and Kubernetes mount secrets
 * (`/run/secrets/...`), so no secret has to sit in the environment or in config.json.
 */

/** Larger than any key, PEM or user list a setting holds: a file past it is a mistake (a log, a disk image), not a secret. */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024

/**
 * The file's text with one trailing newline taken off (what `echo` and most editors add). Every failure is
 * ConfigInvalid naming the variable and the path, never a byte of what the file holds.
 */
export function readSecretFile(variable: string, path: string): string {
  if (path === '') throw new ConfigInvalid(`${variable}: empty: it must name a file`)
  const fail = (why: string) => new ConfigInvalid(`${variable}: cannot read ${JSON.stringify(path)}: ${why}`)
  let fd: number
  try {
    // A FIFO or a device would block or never end: only a regular file (a symlink to one, as Kubernetes mounts them) is opened.
    if (!statSync(path).isFile()) throw fail('not a regular file')
    fd = openSync(path, 'r')
  } catch (error) {
    if (error instanceof ConfigInvalid) throw error
    throw fail((error as NodeJS.ErrnoException).code ?? 'unreadable')
  }
  try {
    if (fstatSync(fd).size > MAX_SECRET_FILE_BYTES) throw fail(`larger than ${MAX_SECRET_FILE_BYTES} bytes`)
    // Read at most one byte past the limit: a file that grows between the check and the read is still refused.
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1)
    let length = 0
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
      if (length > MAX_SECRET_FILE_BYTES) throw fail(`larger than ${MAX_SECRET_FILE_BYTES} bytes`)
    }
    const text = buffer.subarray(0, length).toString('utf8')
    return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text
  } catch (error) {
    if (error instanceof ConfigInvalid) throw error
    throw fail((error as NodeJS.ErrnoException).code ?? 'unreadable')
  } finally {
    closeSync(fd)
  }
}
