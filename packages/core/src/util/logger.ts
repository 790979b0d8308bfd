export type LogFields = Record<string, unknown>

/** pino's call shape, fields first: `logger.info({ dialect }, 'token issued')`. pino fits as it is; so does `console`. */
export type LogFunction = (fields: LogFields, message: string) => void

/** The logging surface polytoken uses; pass pino, console or your own. */
export interface Logger {
  info: LogFunction
  warn: LogFunction
  error: LogFunction
}

const SECRET_FIELD = /secret|password|token|key|authorization|assertion|credential/i

/** Replace every field whose name smells of a secret; values never reach the log. */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {}
  for (const [name, value] of Object.entries(fields)) out[name] = SECRET_FIELD.test(name) ? '[redacted]' : value
  return out
}

export function createConsoleLogger(prefix = 'polytoken'): Logger {
  const line = (level: string, fields: LogFields, message: string) => `[${prefix}] ${level} ${message}${Object.keys(fields).length > 0 ? ' ' + JSON.stringify(redact(fields)) : ''}`
  return {
    info: (f, m) => console.log(line('info', f, m)),
    warn: (f, m) => console.warn(line('warn', f, m)),
    error: (f, m) => console.error(line('error', f, m)),
  }
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }
