import type { PolytokenError } from './errors.js'
import type { BodyType, HttpMethod, PolyRequest, PolyResponse } from './request.js'
import type { AuthMethod } from './auth/auth-method.js'
import type { Store } from './storage/store.js'
import type { VerificationCache } from './cache/verification-cache.js'
import type { KeyRing, KeyRingOptions } from './keys/keyring.js'
import type { Clock } from './util/time.js'
import type { Logger } from './util/logger.js'
import type { PasswordHasher } from './util/password-hasher.js'
import type { TypedRouteInput } from './route-input.js'
import type { DialectEvents } from './events/events.js'

/** A JSON Schema (draft 2020-12 subset that ajv compiles in strict mode). */
export type JsonSchema = Record<string, unknown>

/** What a dialect can use at run time; one set per dialect. */
export interface DialectServices {
  /** The dialect's own namespace of the store. */
  store: Store
  cache: VerificationCache
  clock: Clock
  logger: Logger
  /** Load (or generate, seal and persist) a key ring; its public keys join /.well-known/jwks.json. */
  keyRing(options: KeyRingOptions): Promise<KeyRing>
  /** Password checks with bounded concurrency, shared by every dialect of the runtime (options.passwordHashing). */
  passwords: PasswordHasher
  /**
   * A 32-byte key for one job (`label`), derived from the deployment's secret: the master key, or without one a
   * random secret the first instance keeps in the store. The same on every instance; for HMAC'd throttle keys and the
   * like.
   */
  deploymentKey(label: string): Promise<Buffer>
  /** Report tokens issued, refreshed, revoked and replayed (router.events); on a route's services the route comes along. */
  events: DialectEvents
}

export interface BodyLimits {
  /** Largest body in bytes. Default 64 KiB. */
  bytes: number
  /** Most fields (form, multipart) or top-level keys. Default 64. */
  fields: number
  /** Largest single field value in bytes. Default 16 KiB. */
  fieldBytes: number
  /** Most multipart parts. Default 64. */
  parts: number
}

export interface RouteSchema {
  body?: JsonSchema
  query?: JsonSchema
  params?: JsonSchema
}

export interface RouteInput {
  body: unknown
  query: Record<string, unknown>
  params: Record<string, unknown>
}

export interface RouteContext<P, I = RouteInput> {
  request: PolyRequest
  /** Validated (and, for forms and query strings, type-coerced) input; typed from the route's schema (route-input.ts). */
  input: I
  /** What the first auth method that found a credential verified. */
  principal: P
  services: DialectServices
}

export interface ResponseDoc {
  description: string
  contentType?: string
  schema?: JsonSchema
}

/**
 * A request as an API document shows it, for /openapi.json (`examples` on the request body and parameters) and so
 * for the docs page, whose "Try it out" starts from it. Credentials (Authorization) are not part of it: they go
 * through the page's Authorize dialog, as the security schemes say.
 */
export interface RouteExample {
  /** Key in OpenAPI's `examples` maps: letters, digits, `._-` (`prodmanager.md`). */
  name: string
  /** One line, shown in the page's example picker. */
  summary: string
  /** The body, parsed (a form's fields as an object, a repeated field as an array), and the type it is sent as. */
  body?: { type: BodyType; value: unknown }
  /** Query parameter values, by name. */
  query?: Record<string, unknown>
  /** Path parameter values, by name. */
  params?: Record<string, string>
}

export interface RouteDefinition<P = unknown, S extends RouteSchema = RouteSchema> {
  method: HttpMethod
  /** Express 5 path syntax, relative to the dialect's mount point. */
  path: string
  summary?: string
  /** Body types this route parses; anything else is 415. None for GET. */
  accepts?: readonly BodyType[]
  limits?: Partial<BodyLimits>
  schema?: S
  /**
   * Checks that need no credential and come first: the named resource exists, the client accepts what the route
   * answers. Throw a PolytokenError (404, 406, ...); a request that cannot succeed then costs no credential check.
   */
  precheck?(request: PolyRequest): void
  /** Tried in order; the first that finds a credential decides. None: no authentication. */
  auth?: readonly AuthMethod<P>[]
  /**
   * Verify the credential before validating the input (GitHub's order): a caller without a valid credential learns
   * nothing of the route's schema, at the price of a credential check for every malformed request. Default false:
   * validation first, which refuses junk before any store or crypto work. docs/writing-a-dialect.md compares the two.
   */
  authenticateFirst?: boolean
  /** Success responses, by status, for /openapi.json. */
  responses?: Record<number, ResponseDoc>
  /** Example requests (the API document's own) for /openapi.json and the docs page. */
  examples?: readonly RouteExample[]
  handle(context: RouteContext<P, TypedRouteInput<S>>): Promise<PolyResponse> | PolyResponse
}

/**
 * What a dialect serves on one router: built by its setup() from that router's services, so routes receive what they
 * need as arguments and no dialect keeps state of its own between routers.
 */
/** One row of an admin listing: flat, printable, never a secret (no password hash, token or key). */
export type AdminRow = Record<string, string | number | boolean | null>

/** Users a dialect keeps in its store, for the `polytoken users` command. Passwords arrive in clear and are hashed here. */
export interface AdminUsers {
  list(): Promise<AdminRow[]>
  /** Refuses (AuthForbidden or RequestInvalid, with a message) a username that exists or that the dialect cannot hold. */
  add(username: string, password: string): Promise<void>
  /** Refuses a username that does not exist. */
  passwd(username: string, password: string): Promise<void>
  /** False when there was no such user. */
  remove(username: string): Promise<boolean>
}

/** Long-lived grants a dialect keeps (records, login families, refresh tokens), for `polytoken tokens`. */
export interface AdminTokens {
  /** Rows carry an `id` that revoke() takes: a record id or a fingerprint, never the token itself. */
  list(): Promise<AdminRow[]>
  /** False when there was no such grant. */
  revoke(id: string): Promise<boolean>
}

/** What a dialect offers operators through the polytoken CLI; every part optional. */
export interface DialectAdmin {
  users?: AdminUsers
  tokens?: AdminTokens
  /** Delete records whose own expiry has passed (beyond what the store expires by itself); returns how many. */
  purge?(): Promise<number>
  /**
   * The PEM certificate a verifier outside polytoken trusts for signing key `kid` (crew: the registry's
   * rootcertbundle, needed before a `next` key is promoted); undefined when the dialect has no such key.
   */
  certificate?(kid: string): Promise<string | undefined>
}

export interface DialectInstance {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one dialect's routes take different bodies; RouteDefinition<unknown> would refuse their typed handlers
  routes: readonly RouteDefinition<any>[]
  /** The dialect's own error envelope and status for every failure. */
  renderError(error: PolytokenError, request: PolyRequest | undefined): PolyResponse
  /** Operator commands (docs/cli.md): users, tokens, purge. */
  admin?: DialectAdmin
}

export interface DialectDefinition {
  /** kebab-case, unique; also the store namespace. */
  name: string
  description?: string
  /** JSON Schema of the error envelope: documented in /openapi.json, enforced by the conformance kit. */
  errorSchema: JsonSchema
  /**
   * Runs once per router at start-up with the dialect's services (load keys, open directories, warm caches) and
   * returns what the dialect serves there. One definition passed to two routers gives two independent instances.
   */
  setup(services: DialectServices): Promise<DialectInstance> | DialectInstance
}

/** The instance a definition's setup() returns (with whatever extras the dialect adds, e.g. an admin API). */
export type InstanceOf<D extends DialectDefinition> = Awaited<ReturnType<D['setup']>>

/** Identity helper: lets TypeScript check a dialect against the contract. */
export function defineDialect<const D extends DialectDefinition>(dialect: D): D {
  return dialect
}

/**
 * Identity helper for one route: `principal` typed from its auth methods, `input` from its schema (no type arguments:
 * a named `P` leaves `input` untyped). The schema's type is checked here and dropped from the result, so declaration
 * files and apps that mount the route never evaluate it again.
 */
export function defineRoute<P = unknown, const S extends RouteSchema = RouteSchema>(route: RouteDefinition<P, S>): RouteDefinition<P> {
  return route
}
