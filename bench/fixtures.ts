/** Secrets, users and names shared by the bench server, the naive routes, the peers and the load generator. */
export const FIX = {
  pm: { secret: 'changeit', signingSecret: 'bench-hs256-secret-0123456789abcdef', issuer: 'prodmanager' },
  tg: { sessionSecret: 'bench-session-secret-0123456789abcdef', resourceSecret: 'bench-resource-secret-0123456789', userId: 'f551a1cb-930e-4501-87a9-f51a0718da3e' },
  crew: { service: 'registry.bench', user: 'alice', password: 'alice-password-bench', issuer: 'bench-crew' },
  sg: { node: 'https://sync-1.bench.example', nodeSecret: 'bench-node-secret-0123456789abcdefghijklm', audience: 'https://token.bench.example', issuer: 'accounts.bench' },
  zz: { clientId: 'bench-client', clientSecret: 'bench-client-secret', username: 'alice', password: 'correct horse battery staple', issuer: 'https://www.zazzlife.com', audience: 'Zazz clients' },
  /** zazz's default scrypt cost; the oauth2-server peer hashes with the same. */
  kdf: { N: 2 ** 14, r: 8, p: 5 },
  oidc: { clientId: 'bench-oidc', clientSecret: 'bench-oidc-secret-0123456789abcdef' },
} as const

export const basicAuth = (id: string, secret: string) => {
  const enc = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`
}
