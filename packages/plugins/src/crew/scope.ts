/**
 * Docker token scopes: `type[(class)]:name:action[,action]`.
 *
 * A name may carry a registry host with a port (`localhost:5000/app`), so a
 * scope is never split naively on `:`: the type ends at the first colon, the
 * actions start after the last one, and what lies between is the name. crew.md
 * adds a colon-separated class (`repository:compose:genedna/*:*`); it is told
 * apart from a host:port name because a port is digits followed by `/` or the
 * end of the name.
 */

import { nameProblem } from './scope-name.js'

export interface Scope {
  type: string
  /** Docker's resource class (`repository(plugin):...`), or crew's `repository:compose:...`. */
  class?: string
  name: string
  /** Lower-case action names, de-duplicated, in the order asked; `*` means every action. */
  actions: string[]
}

export class ScopeSyntaxError extends Error {
  /** The offending scope entry, cut to a readable length. */
  readonly scope: string
  constructor(message: string, scope: string) {
    super(message)
    this.name = 'ScopeSyntaxError'
    this.scope = scope.length > 80 ? `${scope.slice(0, 77)}...` : scope
  }
}

const TYPE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
const TYPE_WITH_CLASS = /^([a-z0-9]+(?:[._-][a-z0-9]+)*)\(([a-z0-9]+(?:[._-][a-z0-9]+)*)\)$/
const ACTION = /^(?:\*|[a-z][a-z0-9_-]*)$/
const PORT_START = /^[0-9]+(?:\/|$)/
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/
// Printable ASCII without space, quote, backslash or the separators `;` and `,`.
const NAME = /^[!#-+\--:<-[\]-~]+$/

export const MAX_NAME_LENGTH = 255
export const MAX_ACTIONS = 16

/** Parse one scope entry; throws ScopeSyntaxError with a reason a client can act on. */
export function parseScope(text: string): Scope {
  const first = text.indexOf(':')
  const last = text.lastIndexOf(':')
  if (first <= 0 || last === first) throw new ScopeSyntaxError('scope must look like type:name:actions', text)
  const typePart = text.slice(0, first)
  const middle = text.slice(first + 1, last).split(':')
  const actionPart = text.slice(last + 1)

  let type: string
  let klass: string | undefined
  const withClass = TYPE_WITH_CLASS.exec(typePart)
  if (withClass) {
    type = withClass[1]!
    klass = withClass[2]!
  } else if (TYPE.test(typePart)) {
    type = typePart
  } else {
    throw new ScopeSyntaxError('scope type must be lower-case letters and digits, optionally with (class)', text)
  }

  let name: string
  if (middle.length === 1) {
    name = middle[0]!
  } else if (middle.length === 2 && isHostPort(middle[0]!, middle[1]!)) {
    name = middle.join(':')
  } else if (middle.length === 2 || (middle.length === 3 && isHostPort(middle[1]!, middle[2]!))) {
    if (klass !== undefined) throw new ScopeSyntaxError('scope names its class twice', text)
    klass = middle[0]!
    if (!TYPE.test(klass)) throw new ScopeSyntaxError('scope class must be lower-case letters and digits', text)
    name = middle.slice(1).join(':')
  } else {
    throw new ScopeSyntaxError('scope name may hold one colon, before a registry port', text)
  }
  if (name.length === 0) throw new ScopeSyntaxError('scope name is empty', text)
  if (name.length > MAX_NAME_LENGTH) throw new ScopeSyntaxError(`scope name is longer than ${MAX_NAME_LENGTH} characters`, text)
  if (!NAME.test(name)) throw new ScopeSyntaxError('scope name holds a character that is not allowed', text)
  const problem = nameProblem(type, name)
  if (problem) throw new ScopeSyntaxError(problem, text)

  const actions: string[] = []
  for (const action of actionPart.split(',')) {
    if (!ACTION.test(action)) throw new ScopeSyntaxError(action === '' ? 'scope has an empty action' : 'scope action must be lower-case letters or *', text)
    if (!actions.includes(action)) actions.push(action)
  }
  if (actions.length > MAX_ACTIONS) throw new ScopeSyntaxError(`scope has more than ${MAX_ACTIONS} actions`, text)

  return klass === undefined ? { type, name, actions } : { type, class: klass, name, actions }
}

function isHostPort(host: string, rest: string): boolean {
  return HOST.test(host) && PORT_START.test(rest)
}

/**
 * Every scope in a request. Values may repeat (Docker's `scope=...&scope=...`),
 * hold several entries separated by spaces (OAuth2 forms) or `;` (crew.md),
 * and carry crew.md's literal `scope=` prefix. Entries for the same resource
 * are merged, and the limits hold for the merged result: at most `maxScopes`
 * resources, each with at most MAX_ACTIONS actions (else one resource asked
 * a thousand times with different actions would grow one access entry without
 * bound). Linear in the input: a Map per resource, a Set per resource's actions.
 */
export function parseScopes(values: string | readonly string[] | undefined, maxScopes = 32): Scope[] {
  if (values === undefined) return []
  const list = typeof values === 'string' ? [values] : values
  const byResource = new Map<string, { scope: Scope; actions: Set<string> }>()
  for (const value of list) {
    for (let entry of value.split(/[\s;]+/)) {
      if (entry.startsWith('scope=')) entry = entry.slice('scope='.length)
      if (entry === '') continue
      const scope = parseScope(entry)
      const key = `${scope.type}\u0000${scope.class ?? ''}\u0000${scope.name}`
      const existing = byResource.get(key)
      if (!existing) {
        if (byResource.size >= maxScopes) throw new ScopeSyntaxError(`more than ${maxScopes} scopes in one request`, entry)
        byResource.set(key, { scope, actions: new Set(scope.actions) })
        continue
      }
      for (const action of scope.actions) {
        if (existing.actions.has(action)) continue
        if (existing.actions.size >= MAX_ACTIONS) throw new ScopeSyntaxError(`scope asks for more than ${MAX_ACTIONS} actions on one resource (entries for one resource are merged)`, entry)
        existing.actions.add(action)
        existing.scope.actions.push(action)
      }
    }
  }
  return [...byResource.values()].map(({ scope }) => scope)
}

/** The canonical text form: `type(class):name:a,b`. */
export function formatScope(scope: Scope): string {
  return `${scope.type}${scope.class ? `(${scope.class})` : ''}:${scope.name}:${scope.actions.join(',')}`
}
