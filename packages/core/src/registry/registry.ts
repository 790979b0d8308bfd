import { DialectInvalid, RouteConflict } from '../errors.js'
import type { DialectDefinition, DialectInstance, RouteDefinition } from '../dialect.js'
import { isAuthMethod } from '../auth/auth-method.js'
import { compileValidator, type InputValidator } from '../validation/validator.js'
import type { BodyType } from '../request.js'
import { checkPathSyntax, joinPath, routeShape } from './path-syntax.js'

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
const BODY_TYPES = new Set<BodyType>(['json', 'urlencoded', 'multipart'])

/** A dialect placed at a mount prefix inside the router. */
export interface Mount {
  dialect: DialectDefinition
  prefix: string
}

/** A mount whose dialect's setup() has run on this router: what it serves there. */
export interface SetUpMount extends Mount {
  instance: DialectInstance
}

export interface RegisteredRoute {
  mount: SetUpMount
  route: RouteDefinition<unknown>
  /** prefix + route path: what the router matches. */
  fullPath: string
  validators: {
    body: Partial<Record<BodyType, InputValidator>>
    query: InputValidator | undefined
    params: InputValidator | undefined
  }
}

/**
 * Checks every dialect definition before anything is set up (name, error schema, prefix), so a broken dialect fails
 * at start-up with a coded error that names it, before any key is loaded or generated.
 */
export function checkDialects(mounts: readonly Mount[]): void {
  const names = new Set<string>()
  for (const mount of mounts) {
    const { dialect } = mount
    const label = labelOf(dialect)
    if (typeof dialect?.name !== 'string' || !NAME.test(dialect.name)) {
      throw new DialectInvalid(`${label}: name must be kebab-case ([a-z0-9-])`)
    }
    if (names.has(dialect.name)) throw new DialectInvalid(`${label}: registered twice (names are unique)`)
    names.add(dialect.name)
    if (typeof dialect.setup !== 'function') throw new DialectInvalid(`${label}: setup(services) must be a function returning { routes, renderError }`)
    compileOrThrow(() => compileValidator(dialect.errorSchema, 'json', 'body'), `${label}: errorSchema`)
    if (mount.prefix !== '' && checkPathSyntax(mount.prefix) !== undefined) {
      throw new DialectInvalid(`${label}: prefix "${mount.prefix}" ${checkPathSyntax(mount.prefix)}`)
    }
  }
}

/**
 * Checks what each dialect's setup() returned and every route it serves, in mount order, with a coded error naming
 * the dialect (and the route): a broken route fails at start-up, never at the first request.
 */
export function registerInstances(mounts: readonly SetUpMount[]): RegisteredRoute[] {
  const shapes = new Map<string, RegisteredRoute[]>()
  const registered: RegisteredRoute[] = []
  for (const mount of mounts) {
    const { instance } = mount
    const label = labelOf(mount.dialect)
    if (typeof instance !== 'object' || instance === null) throw new DialectInvalid(`${label}: setup() must return { routes, renderError }`)
    if (typeof instance.renderError !== 'function') throw new DialectInvalid(`${label}: renderError must be a function`)
    if (!Array.isArray(instance.routes) || instance.routes.length === 0) throw new DialectInvalid(`${label}: needs at least one route`)
    for (const route of instance.routes as readonly RouteDefinition<unknown>[]) {
      registered.push(registerRoute(mount, route, shapes))
    }
  }
  return registered
}

const labelOf = (dialect: DialectDefinition | undefined) => `dialect "${String(dialect?.name)}"`

function registerRoute(mount: SetUpMount, route: RouteDefinition<unknown>, shapes: Map<string, RegisteredRoute[]>): RegisteredRoute {
  const where = `dialect "${mount.dialect.name}" route ${String(route?.method)} ${String(route?.path)}`
  if (!METHODS.has(route.method)) throw new DialectInvalid(`${where}: method must be one of ${[...METHODS].join(', ')}`)
  const pathProblem = typeof route.path === 'string' ? checkPathSyntax(route.path) : 'must be a string'
  if (pathProblem) throw new DialectInvalid(`${where}: path ${pathProblem}`)
  if (typeof route.handle !== 'function') throw new DialectInvalid(`${where}: handle must be a function`)
  if (route.precheck !== undefined && typeof route.precheck !== 'function') throw new DialectInvalid(`${where}: precheck must be a function`)
  const accepts = route.accepts ?? []
  for (const type of accepts) {
    if (!BODY_TYPES.has(type)) throw new DialectInvalid(`${where}: unknown body type "${String(type)}"`)
  }
  if (route.method === 'GET' && accepts.length > 0) throw new DialectInvalid(`${where}: a GET route cannot accept a body`)
  if (route.schema?.body && accepts.length === 0) throw new DialectInvalid(`${where}: a body schema needs accepts`)
  const auth = route.auth ?? []
  auth.forEach((method, index) => {
    if (!isAuthMethod(method)) throw new DialectInvalid(`${where}: auth[${index}] is not an auth method (create it with a core factory or defineAuthMethod)`)
    if (method.kind === 'anonymous' && index !== auth.length - 1) throw new DialectInvalid(`${where}: anonymous must be the last auth method`)
  })

  const fullPath = joinPath(mount.prefix, route.path)
  const shape = routeShape(route.method, fullPath)
  const owners = shapes.get(shape) ?? []
  for (const owner of owners) {
    if (owner.fullPath !== fullPath || !schemesDisjoint(owner.route, route)) {
      throw new RouteConflict(
        `${shape} is claimed by dialect "${owner.mount.dialect.name}" and dialect "${mount.dialect.name}": ` +
          'mount one of them under its own prefix (one path can be shared only when each route is reached through Authorization schemes the other does not use)',
      )
    }
  }

  const body: RegisteredRoute['validators']['body'] = {}
  if (route.schema?.body) {
    for (const type of accepts) {
      body[type] = compileOrThrow(() => compileValidator(route.schema!.body!, type === 'json' ? 'json' : 'coerce', 'body'), `${where}: schema.body`)
    }
  }
  const query = route.schema?.query ? compileOrThrow(() => compileValidator(route.schema!.query!, 'coerce', 'querystring'), `${where}: schema.query`) : undefined
  const params = route.schema?.params ? compileOrThrow(() => compileValidator(route.schema!.params!, 'coerce', 'url'), `${where}: schema.params`) : undefined
  const registered = { mount, route, fullPath, validators: { body, query, params } }
  shapes.set(shape, [...owners, registered])
  return registered
}

/** Both routes authenticate only through Authorization schemes, and no scheme is used by both. */
function schemesDisjoint(a: RouteDefinition<unknown>, b: RouteDefinition<unknown>): boolean {
  const schemesOf = (route: RouteDefinition<unknown>): Set<string> | undefined => {
    const methods = route.auth ?? []
    if (methods.length === 0 || methods.some((method) => !method.schemes || method.schemes.length === 0)) return undefined
    return new Set(methods.flatMap((method) => method.schemes!))
  }
  const left = schemesOf(a)
  const right = schemesOf(b)
  if (!left || !right) return false
  return [...left].every((scheme) => !right.has(scheme))
}

function compileOrThrow<T>(compile: () => T, where: string): T {
  try {
    return compile()
  } catch (cause) {
    throw new DialectInvalid(`${where} does not compile in strict mode: ${(cause as Error).message}`, { cause })
  }
}
