import { LRUCache } from 'lru-cache'
import { TokenInvalid, UpstreamUnavailable } from '@polytoken/core'
import { importBrowserIdPublicKey, type BrowserIdKeyPolicy, type BrowserIdPublicKey } from './public-key.js'

export type FetchLike = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; signal: AbortSignal; redirect: 'error' },
) => Promise<{ status: number; text(): Promise<string> }>

export interface SupportDocumentOptions {
  /** Per fetch, ms. Default 5 000. */
  timeoutMs?: number
  /** How long a fetched key is trusted before it is fetched again, ms. Default 1 hour. */
  cacheMs?: number
  /** Default: the global fetch. */
  fetch?: FetchLike
}

// A bare DNS name with an optional port: nothing that could turn the URL into something else.
const ISSUER = /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/i
const MAX_DOCUMENT_BYTES = 64 * 1024

export function isIssuerName(value: unknown): value is string {
  return typeof value === 'string' && ISSUER.test(value)
}

/**
 * Fetch `https://<issuer>/.well-known/browserid` and keep its public key for
 * cacheMs. Concurrent lookups of one issuer share one fetch. Network failure,
 * timeout or a 5xx → UpstreamUnavailable (503); a document without a usable
 * key → TokenInvalid (the issuer is not trusted).
 */
export function createSupportDocumentFetcher(options: SupportDocumentOptions = {}, policy: BrowserIdKeyPolicy = {}): (issuer: string) => Promise<BrowserIdPublicKey> {
  const timeoutMs = options.timeoutMs ?? 5_000
  const doFetch: FetchLike = options.fetch ?? ((url, init) => fetch(url, init))
  const cache = new LRUCache<string, BrowserIdPublicKey>({
    max: 1_000,
    ttl: options.cacheMs ?? 60 * 60 * 1000,
    fetchMethod: async (issuer) => load(issuer),
  })

  async function load(issuer: string): Promise<BrowserIdPublicKey> {
    let status: number
    let text: string
    try {
      const response = await doFetch(`https://${issuer}/.well-known/browserid`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers: { accept: 'application/json' } })
      status = response.status
      text = await response.text()
    } catch (cause) {
      throw new UpstreamUnavailable('issuer support document is unreachable', { cause })
    }
    if (status >= 500 || status === 429) throw new UpstreamUnavailable(`issuer support document answered ${status}`)
    if (status !== 200 || text.length > MAX_DOCUMENT_BYTES) throw new TokenInvalid('issuer has no support document')
    let document: Record<string, unknown> | null
    try {
      document = JSON.parse(text) as Record<string, unknown> | null
    } catch {
      throw new TokenInvalid('issuer support document is not JSON')
    }
    try {
      return importBrowserIdPublicKey(document?.['public-key'], policy)
    } catch (error) {
      throw new TokenInvalid(`issuer support document has no usable public-key: ${(error as Error).message}`)
    }
  }

  return async (issuer) => {
    if (!isIssuerName(issuer)) throw new TokenInvalid('certificate issuer is not a host name')
    const key = await cache.fetch(issuer.toLowerCase())
    if (!key) throw new TokenInvalid('issuer has no support document')
    return key
  }
}
