import { RequestMalformed, RequestTooLarge, type BodyLimits } from '@polytoken/core'

/** A JSON body from its raw bytes: valid JSON, at most `limits.fields` top-level keys. */
export function parseJson(raw: Buffer, limits: BodyLimits): unknown {
  let value: unknown
  try {
    value = JSON.parse(raw.toString('utf8'))
  } catch (cause) {
    throw new RequestMalformed('body is not valid JSON', { location: 'body', cause })
  }
  checkTopLevelKeys(value, limits)
  return value
}

/** The one count a JSON body has: its top-level keys (array items for an array). */
export function checkTopLevelKeys(value: unknown, limits: BodyLimits): void {
  if (value && typeof value === 'object' && Object.keys(value).length > limits.fields) {
    throw new RequestTooLarge(`more than ${limits.fields} fields`, { location: 'body' })
  }
}
