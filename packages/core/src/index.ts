// The public surface of @polytoken/core, name by name: anything not listed here is internal and may change.

// Errors: the catalogue (each class carries its code, status and catalogue text statically).
export { PolytokenError, RequestMalformed, RequestInvalid, RequestTooLarge, UnsupportedMediaType, NotAcceptable, RouteNotFound, MethodNotAllowed, AuthRequired, AuthInvalid } from './errors.js'
export { AuthForbidden, TokenInvalid, TokenExpired, TokenNotYetValid, TokenRevoked, RateLimited, StoreUnavailable, ServerBusy, UpstreamUnavailable, DialectInvalid, RouteConflict } from './errors.js'
export { ConfigInvalid, KeyInvalid, InternalError, errorClasses, errorCatalogue, isPolytokenError, toPolytokenError, type ErrorClass, type ErrorCode, type FieldReasons } from './errors.js'
export { type PolytokenErrorOptions } from './errors.js'

// The dialect contract and the runtime that runs it.
export { header, type BodyType, type HttpMethod, type PolyRequest, type PolyResponse } from './request.js'
export {
  defineDialect,
  defineRoute,
  type BodyLimits,
  type DialectDefinition,
  type DialectInstance,
  type DialectServices,
  type DialectAdmin,
  type AdminUsers,
  type AdminTokens,
  type AdminRow,
  type InstanceOf,
  type JsonSchema,
  type ResponseDoc,
  type RouteExample,
} from './dialect.js'
export { type RouteContext, type RouteDefinition, type RouteInput, type RouteSchema } from './dialect.js'
export { type SchemaType, type TypedRouteInput } from './route-input.js'
export { createRuntime, type CompiledRoute, type MountOptions, type PolytokenOptions, type Runtime } from './runtime/runtime.js'
export {
  type DialectEvents,
  type PolytokenEventMap,
  type PolytokenEventName,
  type PolytokenEvents,
  type RefusalEvent,
  type RequestEvent,
  type StoreEvent,
  type TokenEvent,
  type TokenFields,
} from './events/events.js'
export { createEvents, reportRefusal } from './events/events.js'
export { compileValidator, type InputValidator } from './validation/validator.js'

// Auth methods: the contract and the generic ones.
export { defineAuthMethod, quote, type AuthContext, type AuthMethod, type SecuritySchemeDoc } from './auth/auth-method.js'
export { authenticate } from './auth/authenticate.js'
export { basic, type BasicCredential, type BasicOptions } from './auth/basic.js'
export { bearer, type BearerOptions } from './auth/bearer.js'
export { formSecret, type FormSecretOptions, type FormSecretPrincipal } from './auth/form-secret.js'
export { anonymous, type AnonymousPrincipal } from './auth/anonymous.js'

// Keys and JWTs.
export { hkdfSha256 } from './keys/hkdf.js'
export { createJwtSigner, createJwtVerifier, type JwtClaims, type JwtSigner, type JwtVerifyOptions, type VerificationKey } from './tokens/jwt.js'
export { loadKeyRing, secretKeyMaterial, JWT_ALGORITHMS, type JwtAlgorithm, type KeyRing, type KeyRingOptions, type KeySource, type KidFunction, type RingKey } from './keys/keyring.js'
export type { KeyRingAdmin, KeyInfo, KeyState } from './keys/key-admin.js'
export { KeyRotationRefused } from './keys/key-rotation-refused.js'
export { DEFAULT_KEY_REFRESH_MS } from './keys/key-refresher.js'
export { assertStrongHs256Key, assertStrongSecret, MIN_HS256_KEY_BYTES, MIN_MASTER_KEY_BYTES, MIN_SHARED_SECRET_LENGTH } from './keys/secret-strength.js'

// Storage: the contract, memory://, and the URL → store package step.
export type { Store, StoreBackend } from './storage/store.js'
export { createStore, openStore, storePackageFor, type StoreOptions, type StorePackage } from './storage/create-store.js'
export { memoryStore } from './storage/memory-store.js'
export { MAX_TTL_MS, normalizeStep, normalizeTtl, STORE_NAME } from './storage/ttl.js'

// The verification cache.
export { createVerificationCache, type VerificationCache, type VerificationCacheOptions, type Verified, type Verifier, type CacheLookups } from './cache/verification-cache.js'

// Helpers for dialects: secrets, passwords, randomness, time, logging.
export { fingerprint, safeEqual, secretMatcher } from './util/secrets.js'
export { decoyPasswordHash, hashPassword, verifyPassword, type PasswordHashOptions } from './util/passwords.js'
export { createPasswordHasher, type PasswordCheck, type PasswordHasher, type PasswordHasherOptions } from './util/password-hasher.js'
export { randomString, type RandomEncoding } from './util/random.js'
export { epochSeconds, ioDeadline, systemClock, type Clock } from './util/time.js'
export { createConsoleLogger, silentLogger, type LogFields, type LogFunction, type Logger } from './util/logger.js'
export { setTraceHook, traced, tracedLeaf, type SpanAttributes, type TraceHook } from './util/trace-hook.js'
