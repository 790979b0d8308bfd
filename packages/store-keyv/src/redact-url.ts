// Also any name ending in password or secret (sentinelPassword, …).
const SECRET_PARAM = /^(password|pass|pwd|secret|token|key|auth|sslkey|sslpassword)$|password$|secret$/i

/**
 * A store URL fit for messages and logs: user and password become `***`, and
 * so do query parameters that carry secrets. Unparseable input is scrubbed
 * with a pattern rather than echoed.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username) parsed.username = '***'
    if (parsed.password) parsed.password = '***'
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***')
    }
    return parsed.toString()
  } catch {
    return redactCredentials(url)
  }
}

/** Scrub `scheme://user:password@` wherever it appears in a text (error messages of drivers). */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/)[^/@\s]*@/g, '$1***@')
}
