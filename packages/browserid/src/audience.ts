/**
 * Audiences compare as origins: scheme, host and port, with the scheme's
 * default port filled in, so `https://a.example` and `https://a.example:443`
 * are one audience and `http://a.example` is another.
 */
export function normaliseAudience(value: string): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'app:') return undefined
  if (!url.hostname) return undefined
  const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '')
  return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`
}

/** Compile the configured list once; the matcher is a Set lookup. */
export function createAudienceMatcher(audiences: readonly string[]): (audience: unknown) => boolean {
  const set = new Set<string>()
  for (const audience of audiences) {
    const normal = normaliseAudience(audience)
    if (!normal) throw new TypeError(`audience "${audience}" is not a scheme://host[:port] origin`)
    set.add(normal)
  }
  return (audience) => {
    if (typeof audience !== 'string') return false
    const normal = normaliseAudience(audience)
    return normal !== undefined && set.has(normal)
  }
}
