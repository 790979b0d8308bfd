import { RequestMalformed, type BodyLimits } from '@polytoken/core'
import { FieldCollector, type Fields } from './fields.js'

/** An application/x-www-form-urlencoded body from its raw bytes: UTF-8, fields counted and sized as they arrive. */
export function parseUrlencoded(raw: Buffer, limits: BodyLimits): Fields {
  const text = raw.toString('utf8')
  if (text.includes('\uFFFD')) throw new RequestMalformed('form body is not valid UTF-8', { location: 'body' })
  const collector = new FieldCollector(limits)
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = decodeFormComponent(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : decodeFormComponent(pair.slice(eq + 1))
    collector.add(name, value)
  }
  return collector.fields
}

function decodeFormComponent(value: string): string {
  // Most names and many values need neither step.
  const spaced = value.includes('+') ? value.replace(/\+/g, ' ') : value
  if (!spaced.includes('%')) return spaced
  try {
    return decodeURIComponent(spaced)
  } catch (cause) {
    throw new RequestMalformed('form body has a broken %-escape', { location: 'body', cause })
  }
}
