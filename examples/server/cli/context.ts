import { createRuntime, type DialectDefinition, type Logger, type LogFields, type Runtime } from '@polytoken/core'
import { baseUrlOf, buildMounts, runtimeOptions } from '../app.js'
import { loadConfig, type ServerConfig } from '../load-config.js'
import type { DialectMount } from '../context.js'
import type { CliIo } from './command.js'
import { UsageError } from './command.js'

/** What a command that works on the store gets: the server's configuration, its dialects and a runtime on its store. */
export interface AdminContext {
  config: ServerConfig
  mounts: Array<DialectMount & { key: string }>
  runtime: Runtime
  /** The mounted dialect configured under `key` (its config.json section), or a UsageError naming the ones there are. */
  dialect(key: string): { key: string; dialect: DialectDefinition; instance: ReturnType<Runtime['instance']> }
  close(): Promise<void>
}

/**
 * The same configuration and store as the server (POLYTOKEN_CONFIG, POLYTOKEN_DATA_DIR, POLYTOKEN_STORE and the rest
 * of the environment): the dialects are set up exactly as `polytoken serve` sets them up, with no HTTP listener, so
 * a command reads and writes what the running servers read and write.
 */
export async function openAdminContext(io: CliIo): Promise<AdminContext> {
  const config = loadConfig(io.env)
  const { mounts } = await buildMounts(config, io.env, baseUrlOf(config, io.env))
  const runtime = await createRuntime({
    ...runtimeOptions(config, mounts),
    // The CLI's own lines go to stderr; the runtime speaks only of trouble.
    logger: quietLogger(io),
  })
  return {
    config,
    mounts,
    runtime,
    dialect(key) {
      const mount = mounts.find((m) => m.key === key)
      if (!mount) throw new UsageError(`no dialect "${key}" is configured (configured: ${mounts.map((m) => m.key).join(', ')})`)
      return { key, dialect: mount.dialect, instance: runtime.instance(mount.dialect) }
    },
    close: () => runtime.close(),
  }
}

/** Run `work` with an admin context and close the store afterwards, whatever happens. */
export async function withAdminContext<T>(io: CliIo, work: (context: AdminContext) => Promise<T>): Promise<T> {
  const context = await openAdminContext(io)
  try {
    return await work(context)
  } finally {
    await context.close()
  }
}

function quietLogger(io: CliIo): Logger {
  // The message only: fields may name records an operator did not ask to see (never secrets: redact() runs first in core).
  const line = (level: string) => (_fields: LogFields, message: string) => {
    io.stderr.write(`${level}: ${message}\n`)
  }
  return { info: () => {}, warn: line('warning'), error: line('error') }
}
