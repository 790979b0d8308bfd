import type { BodyType } from '@polytoken/core'

/** Content-Type → the parser that handles it, or undefined for anything else. */
export function bodyTypeOf(contentType: string | undefined): BodyType | undefined {
  if (!contentType) return undefined
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase()
  if (media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media)) return 'json'
  if (media === 'application/x-www-form-urlencoded') return 'urlencoded'
  if (media === 'multipart/form-data') return 'multipart'
  return undefined
}

/** The charset parameter, lower-cased; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')
  return match?.[1]?.toLowerCase()
}
