import type { MountOptions } from '@polytoken/core'

/** What each dialect's mount file gets from the examples server. */
export interface ServerContext {
  /** This dialect's section of config.json with the environment's settings applied (loadConfig), checked against its schema in config-schema.ts. */
  config: Record<string, unknown>
  /** The process environment; settings come through `config`, already merged, not from here. */
  env: NodeJS.ProcessEnv
  /** Where the server keeps its files (POLYTOKEN_DATA_DIR, default ./data). */
  dataDir: string
  /** http://host:port of this server, for realms and endpoints. */
  baseUrl: string
  /** Call for every secret still at its example value: the server warns loudly at start-up. */
  exampleSecret: (key: string) => void
}

/**
 * A dialect's section as config-schema.ts lets it be written: every key optional (the environment may
 * supply it), the keys every section has, and the mount file's own. The dialect checks what it is given.
 */
export type Section<Options, Extra = object> = Partial<Options> & Extra & { prefix?: string; enabled?: boolean }

export interface DialectMount extends MountOptions {
  /** Lines printed at start-up under the dialect's routes (how to try it, registry config, ...). */
  notes?: string[]
}

export type MountDialect = (context: ServerContext) => Promise<DialectMount> | DialectMount
