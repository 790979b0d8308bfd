import { ConfigInvalid, TokenExpired, TokenInvalid, UpstreamUnavailable } from '@polytoken/core'
import { normaliseAudience } from './audience.js'
import { splitBrowserIdBundle } from './bundle.js'
import type { BrowserIdVerifier } from './local-verifier.js'
import type { FetchLike } from './support-document.js'

export interface RemoteVerifierOptions {
  /** The verifier's URL, e.g. https://verifier.accounts.firefox.com/v2. */
  url: string
  /** The audience sent along with every assertion. */
  audience: string
  /** Per request, ms. Default 5 000. */
  timeoutMs?: number
  /** Default: the global fetch. */
  fetch?: FetchLike
}

const MAX_RESPONSE_BYTES = 64 * 1024

/**
 * POST `{assertion, audience}` to a verifier service (a bundle with more than
 * one certificate is refused first, without asking). `{status: "okay", ...}`
 * is an identity; `{status: "failure", reason}` is TokenInvalid (TokenExpired
 * when the reason says so); down, slow, a 5xx or a garbled answer is
 * UpstreamUnavailable (503), never the client's fault.
 */
export function createRemoteBrowserIdVerifier(options: RemoteVerifierOptions): BrowserIdVerifier {
  let url: URL
  try {
    url = new URL(options?.url)
  } catch {
    throw new ConfigInvalid('browserid.remote.url: must be an absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigInvalid('browserid.remote.url: must be http(s)')
  if (!normaliseAudience(options.audience)) throw new ConfigInvalid('browserid.remote.audience: must be a scheme://host[:port] origin')
  const timeoutMs = options.timeoutMs ?? 5_000
  const doFetch: FetchLike = options.fetch ?? ((target, init) => fetch(target, init))

  return {
    async verify(assertion) {
      // Refused here whatever the remote would say: the identity must rest on one issuer-signed
      // certificate, and a chain is never sent out to be judged by someone else's rules.
      splitBrowserIdBundle(assertion)
      let status: number
      let text: string
      try {
        const response = await doFetch(url.href, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ assertion, audience: options.audience }),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        })
        status = response.status
        text = await response.text()
      } catch (cause) {
        throw new UpstreamUnavailable('verifier is unreachable', { cause })
      }
      if (status >= 500 || status === 429 || text.length > MAX_RESPONSE_BYTES) throw new UpstreamUnavailable(`verifier answered ${status}`)
      let body: Record<string, unknown>
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {
        throw new UpstreamUnavailable('verifier answer is not JSON')
      }
      if (body?.status !== 'okay') {
        const reason = typeof body?.reason === 'string' ? body.reason : ''
        if (/expired/i.test(reason)) throw new TokenExpired('assertion has expired')
        throw new TokenInvalid('verifier refused the assertion')
      }
      const { email, issuer, audience, expires, idpClaims } = body
      if (typeof email !== 'string' || typeof issuer !== 'string' || typeof expires !== 'number') throw new UpstreamUnavailable('verifier answer is incomplete')
      return {
        email,
        issuer,
        audience: typeof audience === 'string' ? audience : options.audience,
        expiresAt: expires,
        idpClaims: typeof idpClaims === 'object' && idpClaims !== null && !Array.isArray(idpClaims) ? (idpClaims as Record<string, unknown>) : {},
      }
    },
  }
}
