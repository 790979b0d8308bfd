/** The logging surface polytoken uses; pass pino, console or your own. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

const SECRET_FIELD = /secret|password|token|key|authorization|assertion|credential/i

/** Replace every field whose name smells of a secret; values never reach the log. */
export function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) ? '[redacted]' : value
  }
  return out
}

export function createConsoleLogger(prefix = 'polytoken'): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>) => {
    const extra = redact(fields)
    return `[${prefix}] ${level} ${message}${extra ? ' ' + JSON.stringify(extra) : ''}`
  }
  return {
    info: (m, f) => console.log(line('info', m, f)),
    warn: (m, f) => console.warn(line('warn', m, f)),
    error: (m, f) => console.error(line('error', m, f)),
  }
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }
