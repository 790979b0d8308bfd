import { createJwtSigner, type JwtClaims, type JwtSigner, type KeyRing, type RingKey } from '@polytoken/core'
import type { CrewCertificate } from './certificate.js'

/**
 * crew's signer across key rotations. With `x5c` on, each token carries the certificate of the key that signs it:
 * after a rotation promoted another key, its certificate is loaded (or made and stored) once, before the first
 * token it signs.
 */
export function createRotatingSigner(ring: KeyRing, options: { x5c: boolean; certificate: (key: RingKey) => Promise<CrewCertificate> }): JwtSigner {
  const certificates = new Map<string, CrewCertificate>()
  const withCertificate = async (): Promise<void> => {
    // The active key may change while its certificate loads: the loop ends with the one that signs next.
    for (let key = ring.active; !certificates.has(key.kid); key = ring.active) certificates.set(key.kid, await options.certificate(key))
  }
  const inner = createJwtSigner(ring, (key) => (options.x5c && !key.x5c ? { x5c: [certificates.get(key.kid)!.der] } : {}))
  if (!options.x5c) return inner
  return {
    get algorithm() {
      return inner.algorithm
    },
    get kid() {
      return inner.kid
    },
    sign() {
      throw new Error('crew signs with signAsync (the certificate of a newly promoted key loads asynchronously)')
    },
    async signAsync(claims: JwtClaims) {
      await withCertificate()
      return inner.signAsync(claims)
    },
  }
}
