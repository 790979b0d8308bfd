import { defineAuthMethod, header, quote, type AuthContext, type AuthMethod } from '@polytoken/core'

export interface RailsTokenOptions<P> {
  realm: string
  verify(token: string, context: AuthContext): Promise<P>
}

// Rails' token_and_options: `Token token="abc"`, `Token token=abc`, other options ignored.
const TOKEN_PARAM = /(?:^|[\s,])token=(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/i
// What clients send nearly always: one quoted token without escapes. Matched in one pass; else TOKEN_PARAM.
const PLAIN = /^token[ \t]+token="([^"\\]*)"[ \t]*$/i

/** `Authorization: Token token="<token>"`, as Rails' authenticate_with_http_token reads it. */
export function railsToken<P>(options: RailsTokenOptions<P>): AuthMethod<P, string> {
  if (!options.realm) throw new TypeError('railsToken(): realm is required')
  return defineAuthMethod<P, string>({
    kind: 'railsToken',
    schemes: ['token'],
    doc: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token token="<jwt>"' },
    challenge: () => `Token realm=${quote(options.realm)}`,
    extract(request) {
      const value = header(request, 'authorization')
      if (!value || !/^token\b/i.test(value)) return undefined
      const plain = PLAIN.exec(value)
      if (plain) return plain[1]!
      const match = TOKEN_PARAM.exec(value.slice(5))
      return (match?.[1] ?? match?.[2] ?? '').replace(/\\(.)/g, '$1')
    },
    verify: (token, context) => options.verify(token, context),
  })
}
