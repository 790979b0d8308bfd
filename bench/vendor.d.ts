// Dev dependencies of bench/ only (bench/package.json): not installed by the root `npm ci`, so the
// type check of a fresh clone must not depend on them. The few signatures the bench uses:
declare module 'multer' {
  import type { RequestHandler } from 'express'
  function multer(options?: { limits?: Record<string, number> }): { none(): RequestHandler }
  export default multer
}
declare module 'oidc-provider' {
  import type { RequestHandler } from 'express'
  export default class Provider {
    constructor(issuer: string, configuration: object)
    callback(): RequestHandler
  }
}
declare module '@node-oauth/express-oauth-server' {
  import type { RequestHandler } from 'express'
  export default class ExpressOAuthServer {
    constructor(options: object)
    token(options?: object): RequestHandler
  }
}
