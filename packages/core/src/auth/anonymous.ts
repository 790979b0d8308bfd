import { defineAuthMethod, type AuthMethod } from './auth-method.js'

export interface AnonymousPrincipal {
  kind: 'anonymous'
}

/** Lets a request through without credentials. Put it last: earlier methods get the first look. */
export function anonymous(): AuthMethod<AnonymousPrincipal, true> {
  return defineAuthMethod<AnonymousPrincipal, true>({
    kind: 'anonymous',
    challenge: () => undefined,
    extract: () => true,
    verify: () => Promise.resolve({ kind: 'anonymous' }),
  })
}
