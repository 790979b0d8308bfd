import type { JWK } from 'jose'
import { ConfigInvalid, toPolytokenError as toError } from '../errors.js'
import type { BodyLimits, DialectDefinition, DialectServices, InstanceOf, RouteDefinition } from '../dialect.js'
import type { PolyRequest, PolyResponse, HttpMethod, BodyType } from '../request.js'
import { checkDialects, registerInstances, type Mount, type RegisteredRoute, type SetUpMount } from '../registry/registry.js'
import { openStore, type StoreOptions } from '../storage/create-store.js'
import type { StoreBackend } from '../storage/store.js'
import { createVerificationCache, type VerificationCache, type VerificationCacheOptions } from '../cache/verification-cache.js'
import { openKeyRing, type KeyRing } from '../keys/keyring.js'
import { createKeyRingAdmin, type KeyRingAdmin } from '../keys/key-admin.js'
import { checkKeyRefreshMs, startKeyRefresher, watchKeyRing, type RefreshedRing } from '../keys/key-refresher.js'
import { createDeploymentKeys } from '../keys/deployment-key.js'
import { createPasswordHasher, type PasswordHasher, type PasswordHasherOptions } from '../util/password-hasher.js'
import { MIN_MASTER_KEY_BYTES, assertStrongSecret } from '../keys/secret-strength.js'
import { createConsoleLogger, type Logger } from '../util/logger.js'
import { systemClock, type Clock } from '../util/time.js'
import { createRouteExecutor, renderError } from './pipeline.js'
import { createEvents, dialectEvents, type PolytokenEvents } from '../events/events.js'
import { observeStore } from '../storage/observed-store.js'

export interface MountOptions {
  dialect: DialectDefinition
  /** Mount point inside the router, e.g. `/zazz`. Default: none. */
  prefix?: string
}

export interface PolytokenOptions {
  /** Dialects, each optionally under its own prefix. */
  dialects: ReadonlyArray<DialectDefinition | MountOptions>
  /** `memory://` (default), `sqlite://path`, a StoreOptions object or a ready StoreBackend. */
  store?: string | StoreOptions | StoreBackend
  /** Seals generated signing keys in the store (required when any key is generated); throttle keys are derived from it. */
  masterKey?: string
  /** Concurrency and queue of password hashing (see PasswordHasherOptions for the defaults), or a hasher to share. */
  passwordHashing?: PasswordHasherOptions | PasswordHasher
  /** Verification cache options, or a cache to share. */
  cache?: VerificationCacheOptions | VerificationCache
  /** Default body limits for every route (a route may lower or raise its own). */
  limits?: Partial<BodyLimits>
  logger?: Logger
  clock?: Clock
  /** The emitter of router.events, when the host (or @polytoken/express, across start-up retries) made it first. */
  events?: PolytokenEvents
  /**
   * How often (ms) the generated key rings are re-read from the store, so a rotation made with `polytoken keys`
   * reaches this instance within that time; also the least age of a `next` key before it may be promoted. Default
   * 10 000 (docs/operations.md#rotating-keys).
   */
  keyRefreshMs?: number
}

export const DEFAULT_LIMITS: BodyLimits = { bytes: 64 * 1024, fields: 64, fieldBytes: 16 * 1024, parts: 64 }

export interface CompiledRoute {
  readonly dialect: DialectDefinition
  /** The dialect's definition of the route: schemas, auth methods, responses (for /openapi.json). */
  readonly route: RouteDefinition<unknown>
  readonly method: HttpMethod
  readonly fullPath: string
  readonly accepts: readonly BodyType[]
  readonly limits: BodyLimits
  /** True when the route has auth methods and none of them is anonymous. */
  readonly requiresCredential: boolean
  /** Authorization schemes the route's auth methods read (lower-case). */
  readonly schemes: readonly string[]
  /** Every auth method's WWW-Authenticate challenge. */
  readonly challenges: readonly string[]
  execute(request: PolyRequest): Promise<PolyResponse>
  /** For failures before the route runs (body parsing, 405): the dialect's envelope. */
  fail(error: unknown, request: PolyRequest | undefined): PolyResponse
}

export interface Runtime {
  readonly routes: readonly CompiledRoute[]
  readonly store: StoreBackend
  readonly cache: VerificationCache
  readonly logger: Logger
  /** Token lifecycle, refusals, requests and store health (docs/operations.md#events). */
  readonly events: PolytokenEvents
  /** The password-hashing queue, for metrics. */
  readonly passwords: PasswordHasher
  /** What `dialect`'s setup() returned on this router (its routes, renderError and any extras, e.g. an admin API). */
  instance<D extends DialectDefinition>(dialect: D): InstanceOf<D>
  jwks(): { keys: JWK[] }
  /** Every key ring the dialects opened, for `polytoken keys` (list, generate, promote, retire). */
  keyRings(): KeyRingAdmin[]
  /** Re-read the stored key rings now rather than at the next keyRefreshMs tick. */
  refreshKeys(): Promise<void>
  health(): Promise<{ status: 'ok' | 'unavailable'; store: string }>
  close(): Promise<void>
}

/** Build everything the host needs: checked routes with their executors, JWKS, health. */
export async function createRuntime(options: PolytokenOptions): Promise<Runtime> {
  if (!options || !Array.isArray(options.dialects)) throw new ConfigInvalid('dialects: an array of dialects is required')
  const logger = options.logger ?? createConsoleLogger()
  const clock = options.clock ?? systemClock
  const mounts: Mount[] = options.dialects.map((entry: DialectDefinition | MountOptions) =>
    'dialect' in entry ? { dialect: entry.dialect, prefix: entry.prefix ?? '' } : { dialect: entry, prefix: '' },
  )
  // The master key seals every generated private key; checked even when nothing is generated yet.
  if (options.masterKey !== undefined) assertStrongSecret('masterKey', options.masterKey, MIN_MASTER_KEY_BYTES)
  const keyRefreshMs = checkKeyRefreshMs(options.keyRefreshMs)
  // Definitions first: a broken dialect fails before any store is opened or key generated.
  checkDialects(mounts)
  const events = options.events ?? createEvents()
  const store = observeStore(await openStore(options.store, logger), events)
  const cache = hasMethod<VerificationCache>(options.cache, 'verify') ? options.cache : createVerificationCache({ clock, ...options.cache })
  const rings: KeyRingAdmin[] = []
  const refreshed: RefreshedRing[] = []
  const jwksRings: KeyRing[] = []
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const passwords = hasMethod<PasswordHasher>(options.passwordHashing, 'admit') ? options.passwordHashing : createPasswordHasher(options.passwordHashing)
  const deploymentKey = createDeploymentKeys(options.masterKey, store.namespace('polytoken'))

  const setUp: SetUpMount[] = []
  const servicesByDialect = new Map<DialectDefinition, DialectServices>()
  let registered: RegisteredRoute[]
  try {
    for (const mount of mounts) {
      const { dialect } = mount
      const namespace = store.namespace(dialect.name)
      const services: DialectServices = {
        store: namespace,
        cache,
        clock,
        logger,
        keyRing: async (ringOptions) => {
          const opened = await openKeyRing({ path: `${dialect.name}.keys`, ...ringOptions }, { store: namespace, masterKey: options.masterKey, now: clock })
          rings.push(createKeyRingAdmin(dialect.name, opened, keyRefreshMs))
          if (opened.stored) {
            const watched = { label: `${dialect.name}/${opened.ring.name}`, stored: opened.stored }
            // Retiring a key empties the cache: a token it signed is not answered from there once this instance knows.
            watchKeyRing(watched, { logger, onRetired: () => cache.clear() })
            refreshed.push(watched)
          }
          jwksRings.push(opened.ring)
          return opened.ring
        },
        passwords,
        deploymentKey,
        events: dialectEvents(events, dialect.name),
      }
      servicesByDialect.set(dialect, services)
      // Each router gets its own instance: the routes are built from these services, in mount order.
      setUp.push({ ...mount, instance: await dialect.setup(services) })
    }
    registered = registerInstances(setUp)
  } catch (error) {
    // A store this runtime opened is not left open by a start-up that failed.
    if (!hasMethod<StoreBackend>(options.store, 'namespace')) await store.close().catch(() => {})
    throw error
  }

  const keyRefresher = startKeyRefresher(refreshed, { intervalMs: keyRefreshMs, logger })
  const routes = registered.map((reg) => compile(reg, servicesByDialect.get(reg.mount.dialect)!, limits, logger, events))
  const instances = new Map(setUp.map(({ dialect, instance }) => [dialect, instance]))
  return {
    routes,
    store,
    cache,
    logger,
    events,
    passwords,
    instance<D extends DialectDefinition>(dialect: D): InstanceOf<D> {
      const instance = instances.get(dialect)
      if (!instance) throw new ConfigInvalid(`dialect "${String(dialect?.name)}" is not mounted on this router`)
      return instance as InstanceOf<D>
    },
    jwks: () => ({ keys: jwksRings.flatMap((ring) => ring.publicJwks()) }),
    keyRings: () => [...rings],
    refreshKeys: () => keyRefresher.refresh(),
    async health() {
      try {
        await store.ping()
        return { status: 'ok', store: store.kind }
      } catch {
        return { status: 'unavailable', store: store.kind }
      }
    },
    close: () => {
      keyRefresher.stop()
      return store.close()
    },
  }
}

function compile(reg: RegisteredRoute, services: DialectServices, defaults: BodyLimits, logger: Logger, events: PolytokenEvents): CompiledRoute {
  const execute = createRouteExecutor(reg, services, events)
  const { mount } = reg
  const dialect = mount.dialect
  return {
    dialect,
    route: reg.route,
    method: reg.route.method,
    fullPath: reg.fullPath,
    accepts: reg.route.accepts ?? [],
    limits: { ...defaults, ...reg.route.limits },
    requiresCredential: (reg.route.auth ?? []).length > 0 && !(reg.route.auth ?? []).some((method) => method.kind === 'anonymous'),
    schemes: (reg.route.auth ?? []).flatMap((method) => method.schemes ?? []),
    challenges: (reg.route.auth ?? []).flatMap((method) => method.challenge() ?? []),
    execute,
    fail: (error, request) => renderError(mount, toError(error), request, logger),
  }
}

/** A ready service rather than options for one: an object with the method that service has. */
function hasMethod<T>(value: unknown, method: keyof T): value is T {
  return typeof value === 'object' && value !== null && typeof (value as T)[method] === 'function'
}
