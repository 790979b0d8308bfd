import { TokenInvalid } from '@polytoken/core'

/** The parts of a backed assertion: the IdP's certificate and the client's assertion, both still encoded. */
export interface BrowserIdBundleParts {
  certificate: string
  assertion: string
}

const MAX_BUNDLE = 16 * 1024

/**
 * Split `certificate~assertion`. Exactly one certificate, as Mozilla's
 * verifiers accept: a chain would let a certified user key certify further
 * keys in any name it likes, so a bundle with more than one is refused
 * before anything in it is looked at.
 */
export function splitBrowserIdBundle(bundle: unknown): BrowserIdBundleParts {
  if (typeof bundle !== 'string' || bundle.length === 0 || bundle.length > MAX_BUNDLE) throw new TokenInvalid('assertion is malformed')
  const parts = bundle.split('~')
  if (parts.length > 2) throw new TokenInvalid('certificate chains are not accepted: exactly one certificate')
  if (parts.length < 2) throw new TokenInvalid('assertion must be cert~assertion')
  return { certificate: parts[0]!, assertion: parts[1]! }
}
