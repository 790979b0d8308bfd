import { AuthInvalid } from '../errors.js'
import { secretMatcher } from '../util/secrets.js'
import { defineAuthMethod, type AuthMethod } from './auth-method.js'

export interface FormSecretOptions {
  /** Body field that carries the secret. Default `secret`. */
  field?: string
  /** The expected secret, or several (rotation): any one matches. */
  secret: string | readonly string[]
}

export interface FormSecretPrincipal {
  kind: 'form-secret'
}

/** A shared application secret sent as a body field, compared in constant time. */
export function formSecret(options: FormSecretOptions): AuthMethod<FormSecretPrincipal, string> {
  const field = options.field ?? 'secret'
  const secrets = typeof options.secret === 'string' ? [options.secret] : [...options.secret]
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length === 0)) {
    throw new TypeError('formSecret(): secret must be a non-empty string')
  }
  const matches = secretMatcher(secrets)
  return defineAuthMethod<FormSecretPrincipal, string>({
    kind: 'formSecret',
    doc: { type: 'apiKey', in: 'body', name: field },
    challenge: () => undefined,
    extract(request) {
      const body = request.body as Record<string, unknown> | undefined
      const value = body && typeof body === 'object' ? body[field] : undefined
      return typeof value === 'string' ? value : undefined
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- async so that a wrong secret is a rejection, as verify's contract says
    async verify(credential) {
      if (!matches(credential)) throw new AuthInvalid('secret is invalid', { location: 'body', field })
      return { kind: 'form-secret' }
    },
  })
}
