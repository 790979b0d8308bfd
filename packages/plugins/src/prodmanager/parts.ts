import type { JwtClaims, JwtSigner } from '@polytoken/core'
import type { AddressGuard } from '@polytoken/login-throttle'
import type { Records } from './records.js'

/** What setup() builds from one router's services; the routes receive it as an argument. */
export interface ProdManagerParts {
  signer: JwtSigner
  verify: (token: string) => Promise<JwtClaims>
  records: Records
  /** Wrong application secrets, counted per address. */
  secretGuard: AddressGuard
}
