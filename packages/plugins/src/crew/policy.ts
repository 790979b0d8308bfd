import { ConfigInvalid } from '@polytoken/core'
import { compileGlob, type Glob, type GlobValues } from './glob.js'
import type { Scope } from './scope.js'

/**
 * One access rule. Every given matcher must match; omitted matchers match
 * anything. Rules are tried in order and the first match decides, so put
 * narrow rules (and denials: `actions: []`) before broad ones.
 */
export interface PolicyRule {
  /**
   * Globs over the authenticated account name. `""` is the anonymous caller;
   * `*` is any authenticated account. Omitted: everyone, anonymous included.
   */
  account?: string | string[]
  /** Globs over the resource type (`repository`, `registry`, `web`, ...). */
  type?: string | string[]
  /** Globs over the resource name; may use `${account}` and `${service}`. */
  name?: string | string[]
  /** Globs over the service the token is for (its `aud`). */
  service?: string | string[]
  /** What the rule grants: action names, `*` for every action, `[]` to deny. */
  actions: string[]
  /** A note for people reading the configuration; ignored. */
  description?: string
}

/** One `access` entry of a token. */
export interface Access {
  type: string
  class?: string
  name: string
  actions: string[]
}

export interface PolicyRequest {
  /** The authenticated account, or undefined for an anonymous caller. */
  account: string | undefined
  service: string
  scopes: readonly Scope[]
}

export interface Policy {
  readonly rules: number
  /** The access to put in the token: for each scope asked, the actions both asked and granted (maybe none). */
  evaluate(request: PolicyRequest): Access[]
}

interface CompiledRule {
  account: Glob[] | undefined
  type: Glob[] | undefined
  name: Glob[] | undefined
  service: Glob[] | undefined
  actions: readonly string[]
  all: boolean
}

const ACTION = /^(?:\*|[a-z][a-z0-9_-]*)$/
const RULE_KEYS = new Set(['account', 'type', 'name', 'service', 'actions', 'description'])

/** Check and compile the rules; a bad rule throws ConfigInvalid naming its key. */
export function createPolicy(rules: readonly PolicyRule[] | undefined, where = 'crew.policy'): Policy {
  if (rules !== undefined && !Array.isArray(rules)) throw new ConfigInvalid(`${where}: must be an array of rules`)
  const compiled = (rules ?? []).map((rule: PolicyRule, index) => compileRule(rule, `${where}[${index}]`))

  return {
    rules: compiled.length,
    evaluate({ account, service, scopes }) {
      const values: GlobValues = { account, service }
      return scopes.map((scope) => {
        const rule = compiled.find((candidate) => ruleMatches(candidate, account, service, scope, values))
        const access: Access = { type: scope.type, name: scope.name, actions: rule ? intersect(scope.actions, rule) : [] }
        if (scope.class !== undefined) access.class = scope.class
        return access
      })
    },
  }
}

function compileRule(rule: PolicyRule, where: string): CompiledRule {
  if (typeof rule !== 'object' || rule === null) throw new ConfigInvalid(`${where}: must be an object`)
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key)) throw new ConfigInvalid(`${where}.${key}: unknown key (use account, type, name, service, actions)`)
  }
  if (!Array.isArray(rule.actions) || rule.actions.some((action) => typeof action !== 'string' || !ACTION.test(action))) {
    throw new ConfigInvalid(`${where}.actions: an array of action names or "*" is required ([] denies)`)
  }
  return {
    account: globs(rule.account, `${where}.account`, false),
    type: globs(rule.type, `${where}.type`, false),
    name: globs(rule.name, `${where}.name`, true),
    service: globs(rule.service, `${where}.service`, false),
    actions: [...new Set(rule.actions)],
    all: rule.actions.includes('*'),
  }
}

function globs(value: string | string[] | undefined, where: string, placeholders: boolean): Glob[] | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) {
    throw new ConfigInvalid(`${where}: a glob or a non-empty array of globs`)
  }
  return list.map((source) => {
    if (!placeholders && source.includes('${')) throw new ConfigInvalid(`${where}: placeholders are allowed in name only`)
    try {
      return compileGlob(source)
    } catch (error) {
      throw new ConfigInvalid(`${where}: ${(error as Error).message}`)
    }
  })
}

function ruleMatches(rule: CompiledRule, account: string | undefined, service: string, scope: Scope, values: GlobValues): boolean {
  if (rule.account && !rule.account.some((glob) => (account === undefined ? glob.source === '' : glob.source !== '' && glob.matches(account, values)))) return false
  if (rule.service && !rule.service.some((glob) => glob.matches(service, values))) return false
  if (rule.type && !rule.type.some((glob) => glob.matches(scope.type, values))) return false
  if (rule.name && !rule.name.some((glob) => glob.matches(scope.name, values, true))) return false
  return true
}

/** Asked ∩ granted. `*` granted: everything asked. `*` asked: everything granted. */
function intersect(asked: readonly string[], rule: CompiledRule): string[] {
  if (rule.all) return [...asked]
  if (asked.includes('*')) return [...rule.actions]
  return asked.filter((action) => rule.actions.includes(action))
}
