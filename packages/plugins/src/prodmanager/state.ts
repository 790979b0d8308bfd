import type { JwtClaims, JwtSigner } from '@polytoken/core'
import type { AddressGuard } from '@polytoken/login-throttle'
import type { Records } from './records.js'

/** What setup() builds and the routes use; filled before the first request. */
export interface ProdManagerState {
  signer?: JwtSigner
  verify?: (token: string) => Promise<JwtClaims>
  records?: Records
  /** Wrong application secrets, counted per address. */
  secretGuard?: AddressGuard
}
