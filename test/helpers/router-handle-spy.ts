import assert from 'node:assert/strict'
import express from 'express'

export interface RouterHandleSpy {
  /** How often Express's own Router.handle ran for this router. */
  callsOn(router: object): number
  restore(): void
}

/**
 * Counts calls of Express's own Router.handle per router, by wrapping it on
 * the prototype: install before the routers are built (fast dispatch keeps
 * the Router.handle it finds and calls it for whatever it does not answer).
 */
export function spyOnRouterHandle(): RouterHandleSpy {
  // router@2: a router is a function whose prototype is an object whose prototype is Router.prototype.
  const prototype = Object.getPrototypeOf(Object.getPrototypeOf(express.Router())) as { handle: (this: object, ...args: unknown[]) => void }
  assert.ok(Object.hasOwn(prototype, 'handle'), 'Router.prototype.handle not found: another router version?')
  const original = prototype.handle
  const calls = new WeakMap<object, number>()
  prototype.handle = function (this: object, ...args: unknown[]) {
    calls.set(this, (calls.get(this) ?? 0) + 1)
    return original.apply(this, args)
  }
  return { callsOn: (router) => calls.get(router) ?? 0, restore: () => void (prototype.handle = original) }
}
