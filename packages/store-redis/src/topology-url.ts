import { ConfigInvalid } from '@polytoken/core'

/** One Redis or Sentinel address. */
export interface RedisNode {
  host: string
  port: number
}

/** TLS settings for every connection of a topology (nodes and sentinels), from `rediss+…://` and the `tls*` parameters. */
export interface TopologyTls {
  /** PEM file of the certificate authority to trust instead of the system's. */
  caFile?: string
  /** PEM files of a client certificate and its key, for servers that ask for one (`tls-auth-clients yes`). */
  certFile?: string
  keyFile?: string
  /** The name the server certificate must carry, when it differs from the host of the URL. */
  servername?: string
}

/**
 * A Sentinel or Cluster store URL, parsed. WHATWG URLs allow one host, so these
 * (several seeds, comma-separated) are parsed here:
 *
 *   redis+sentinel://[user:password@]host:26379[,host:26380…]/<master-name>[/db][?…]
 *   redis+cluster://[user:password@]host:7000[,host:7001…][?…]
 *
 * `rediss+sentinel://` and `rediss+cluster://` turn TLS on for every connection.
 */
export interface TopologyUrl {
  kind: 'sentinel' | 'cluster'
  nodes: RedisNode[]
  /** The master set Sentinel watches (sentinel only). */
  masterName?: string
  /** Database number on the master (sentinel only; a Cluster has database 0 alone). */
  database?: number
  /** ACL user and password of the data nodes (masters and replicas). */
  username?: string
  password?: string
  /** The Sentinels' own credentials (`?sentinelUsername=`, `?sentinelPassword=`), when they differ from none. */
  sentinelUsername?: string
  sentinelPassword?: string
  tls?: TopologyTls
  /** `?waitReplicas=N`: every write waits (WAIT) until N replicas hold it, or fails with 503. Default 0. */
  waitReplicas: number
  /** `?waitTimeoutMs=`: how long a write waits for the replicas. Default half the store timeout. */
  waitTimeoutMs?: number
  /** Our generic `?prefix=` and `?timeoutMs=`, as strings (the caller checks them). */
  prefix?: string
  timeoutMs?: string
  /** The URL fit for logs: credentials and secret parameters replaced by `***`. */
  location: string
}

const SCHEME = /^(rediss?)\+(sentinel|cluster):\/\/(.*)$/i
const KNOWN = new Set(['prefix', 'timeoutMs', 'waitReplicas', 'waitTimeoutMs', 'sentinelUsername', 'sentinelPassword', 'tlsCaFile', 'tlsCertFile', 'tlsKeyFile', 'tlsServername'])

/** True for the URLs this module parses. */
export function isTopologyUrl(url: string): boolean {
  return SCHEME.test(url)
}

function invalid(location: string, why: string): never {
  throw new ConfigInvalid(`store: "${location}" ${why}`)
}

/** The URL with every credential replaced: the input may be malformed, so this never parses more than it must. */
export function redactTopologyUrl(url: string): string {
  const match = SCHEME.exec(url)
  if (!match) return url.replace(/(\/\/)[^/@\s]*@/g, '$1***@')
  const [, tls, kind, rest] = match
  // The last "@" anywhere: a password with an unencoded "/" or "?" is still hidden (at worst the hosts are too).
  const at = rest!.lastIndexOf('@')
  const withoutAuth = at >= 0 ? `***@${rest!.slice(at + 1)}` : rest!
  const scrubbed = withoutAuth.replace(/([?&](?:sentinelPassword|password|tlsKeyFile)=)[^&]*/gi, '$1***')
  return `${tls!.toLowerCase()}+${kind!.toLowerCase()}://${scrubbed}`
}

function decode(location: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return invalid(location, `has a malformed ${what}`)
  }
}

function parseNode(location: string, text: string, defaultPort: number): RedisNode {
  // [v6::addr]:port, host:port or host
  const match = /^(\[[0-9a-f:.]+\]|[\w.-]+)(?::(\d{1,5}))?$/i.exec(text)
  if (!match) return invalid(location, `has a malformed host "${text.replace(/[^\w.:[\]-]/g, '?')}"`)
  const port = match[2] === undefined ? defaultPort : Number(match[2])
  if (!(port > 0 && port < 65536)) return invalid(location, `has a port out of range in "${text}"`)
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port }
}

function nonNegativeInteger(location: string, name: string, value: string | null): number | undefined {
  if (value === null) return undefined
  if (!/^\d{1,9}$/.test(value)) return invalid(location, `has ?${name}= that is not a whole number`)
  return Number(value)
}

export function parseTopologyUrl(url: string): TopologyUrl {
  const location = redactTopologyUrl(url)
  const match = SCHEME.exec(url)
  if (!match) return invalid(location, 'is not a redis+sentinel:// or redis+cluster:// URL')
  const tlsOn = match[1]!.toLowerCase() === 'rediss'
  const kind = match[2]!.toLowerCase() as 'sentinel' | 'cluster'
  let rest = match[3]!
  const queryAt = rest.indexOf('?')
  const query = new URLSearchParams(queryAt >= 0 ? rest.slice(queryAt + 1) : '')
  if (queryAt >= 0) rest = rest.slice(0, queryAt)
  const pathAt = rest.indexOf('/')
  const path = pathAt >= 0 ? rest.slice(pathAt + 1) : ''
  const authority = pathAt >= 0 ? rest.slice(0, pathAt) : rest
  const at = authority.lastIndexOf('@')
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined
  const hosts = at >= 0 ? authority.slice(at + 1) : authority

  for (const name of query.keys()) if (!KNOWN.has(name)) invalid(location, `has an unknown parameter ?${name}= (known: ${[...KNOWN].join(', ')})`)
  const nodes = hosts.split(',').map((host) => parseNode(location, host.trim(), kind === 'sentinel' ? 26379 : 6379))
  if (nodes.length === 0 || hosts.trim() === '') invalid(location, 'names no host')

  const parsed: TopologyUrl = { kind, nodes, location, waitReplicas: nonNegativeInteger(location, 'waitReplicas', query.get('waitReplicas')) ?? 0 }
  const waitTimeoutMs = nonNegativeInteger(location, 'waitTimeoutMs', query.get('waitTimeoutMs'))
  if (waitTimeoutMs !== undefined) {
    if (waitTimeoutMs === 0) invalid(location, 'has ?waitTimeoutMs=0: WAIT 0 blocks forever; give a number of milliseconds')
    parsed.waitTimeoutMs = waitTimeoutMs
  }
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':')
    const user = decode(location, colon >= 0 ? userinfo.slice(0, colon) : userinfo, 'user name')
    if (user) parsed.username = user
    if (colon >= 0) parsed.password = decode(location, userinfo.slice(colon + 1), 'password')
  }
  const segments = path.split('/').filter((segment) => segment !== '')
  if (kind === 'sentinel') {
    if (segments.length === 0) invalid(location, 'names no master: redis+sentinel://host:26379/<master-name>')
    parsed.masterName = decode(location, segments[0]!, 'master name')
    if (segments.length > 2) invalid(location, 'has a path longer than /<master-name>/<db>')
    if (segments[1] !== undefined) parsed.database = nonNegativeInteger(location, 'database', segments[1])
    const sentinelUsername = query.get('sentinelUsername')
    const sentinelPassword = query.get('sentinelPassword')
    if (sentinelUsername !== null) parsed.sentinelUsername = sentinelUsername
    if (sentinelPassword !== null) parsed.sentinelPassword = sentinelPassword
  } else {
    if (segments.length > 0) invalid(location, 'has a path: a Cluster has no master name and only database 0')
    if (query.has('sentinelUsername') || query.has('sentinelPassword')) invalid(location, 'has Sentinel credentials on a Cluster URL')
  }
  const tls: TopologyTls = {}
  for (const [param, field] of [
    ['tlsCaFile', 'caFile'],
    ['tlsCertFile', 'certFile'],
    ['tlsKeyFile', 'keyFile'],
    ['tlsServername', 'servername'],
  ] as const) {
    const value = query.get(param)
    if (value !== null) tls[field] = value
  }
  if (Object.keys(tls).length > 0 && !tlsOn) invalid(location, 'has tls* parameters on a plain connection: use rediss+sentinel:// or rediss+cluster://')
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) invalid(location, 'needs both ?tlsCertFile= and ?tlsKeyFile= for a client certificate')
  if (tlsOn) parsed.tls = tls
  const prefix = query.get('prefix')
  const timeoutMs = query.get('timeoutMs')
  if (prefix !== null) parsed.prefix = prefix
  if (timeoutMs !== null) parsed.timeoutMs = timeoutMs
  return parsed
}
