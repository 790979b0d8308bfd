import { RequestMalformed, RequestTooLarge, type BodyLimits } from '@polytoken/core'

export type Fields = Record<string, string | string[]>

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** Collects form or multipart fields: a repeated name becomes an array; limits enforced as they arrive. */
export class FieldCollector {
  readonly fields: Fields = {}
  private count = 0
  private readonly limits: BodyLimits

  constructor(limits: BodyLimits) {
    this.limits = limits
  }

  add(name: string, value: string): void {
    if (FORBIDDEN_KEYS.has(name)) throw new RequestMalformed(`field name "${name}" is not allowed`, { location: 'body', field: name })
    if (++this.count > this.limits.fields) throw new RequestTooLarge(`more than ${this.limits.fields} fields`, { location: 'body' })
    if (Buffer.byteLength(value) > this.limits.fieldBytes) {
      throw new RequestTooLarge(`field "${name}" is over ${this.limits.fieldBytes} bytes`, { location: 'body', field: name })
    }
    const existing = this.fields[name]
    if (existing === undefined) this.fields[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else this.fields[name] = [existing, value]
  }
}
