import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigInvalid } from '@polytoken/core'
import { isTopologyUrl, parseTopologyUrl, redactTopologyUrl } from './topology-url.js'

describe('redis+sentinel:// and redis+cluster:// URLs', () => {
  it('a Sentinel URL: every seed, the master name, the database, both sets of credentials', () => {
    const parsed = parseTopologyUrl('redis+sentinel://app:s%40cret@10.0.0.1:26379,10.0.0.2,[::1]:26381/mymaster/2?sentinelPassword=sp&waitReplicas=1&waitTimeoutMs=200&prefix=prod-&timeoutMs=800')
    assert.equal(parsed.kind, 'sentinel')
    assert.deepEqual(parsed.nodes, [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
      { host: '::1', port: 26381 },
    ])
    assert.equal(parsed.masterName, 'mymaster')
    assert.equal(parsed.database, 2)
    assert.equal(parsed.username, 'app')
    assert.equal(parsed.password, 's@cret')
    assert.equal(parsed.sentinelPassword, 'sp')
    assert.equal(parsed.waitReplicas, 1)
    assert.equal(parsed.waitTimeoutMs, 200)
    assert.equal(parsed.prefix, 'prod-')
    assert.equal(parsed.timeoutMs, '800')
    assert.equal(parsed.tls, undefined)
  })

  it('a Cluster URL: seeds default to port 6379, no master name, WAIT off by default; rediss+ turns TLS on with its files', () => {
    const parsed = parseTopologyUrl('rediss+cluster://:pw@node-a:7000,node-b?tlsCaFile=/etc/ca.pem&tlsServername=redis.internal')
    assert.equal(parsed.kind, 'cluster')
    assert.deepEqual(parsed.nodes, [
      { host: 'node-a', port: 7000 },
      { host: 'node-b', port: 6379 },
    ])
    assert.equal(parsed.masterName, undefined)
    assert.equal(parsed.username, undefined)
    assert.equal(parsed.password, 'pw')
    assert.equal(parsed.waitReplicas, 0)
    assert.deepEqual(parsed.tls, { caFile: '/etc/ca.pem', servername: 'redis.internal' })
    assert.ok(isTopologyUrl('REDIS+CLUSTER://h:1'))
    assert.ok(!isTopologyUrl('redis://h:6379'))
  })

  for (const [url, why] of [
    ['redis+sentinel://h:26379', /names no master/],
    ['redis+sentinel://h:26379/m/1/2', /path longer/],
    ['redis+cluster://h:7000/0', /has a path/],
    ['redis+cluster://h:7000?sentinelPassword=x', /Sentinel credentials/],
    ['redis+cluster://h:7000?tlsCaFile=/ca.pem', /plain connection/],
    ['rediss+cluster://h:7000?tlsCertFile=/c.pem', /both/],
    ['redis+cluster://h:70000', /out of range/],
    ['redis+cluster://h:7000?waitReplicas=-1', /whole number/],
    ['redis+cluster://h:7000?waitTimeoutMs=0', /blocks forever/],
    ['redis+cluster://h:7000?pasword=typo', /unknown parameter/],
    ['redis+cluster://', /malformed host|names no host/],
    ['redis+cluster://a b:7000', /malformed host/],
  ] as const) {
    it(`refuses ${url}`, () => {
      assert.throws(
        () => parseTopologyUrl(url),
        (error: unknown) => error instanceof ConfigInvalid && why.test(error.message),
      )
    })
  }

  it('no password, sentinel password or key file path ever appears in the location or an error', () => {
    const url = 'rediss+sentinel://user:hunter2-node@h1:26379,h2/m?sentinelPassword=hunter2-sentinel&tlsKeyFile=/secret/key.pem&tlsCertFile=/c.pem'
    const { location } = parseTopologyUrl(url)
    for (const secret of ['hunter2-node', 'hunter2-sentinel', '/secret/key.pem']) assert.ok(!location.includes(secret), location)
    assert.match(location, /^rediss\+sentinel:\/\/\*\*\*@h1:26379,h2\/m\?/)
    const bad = 'redis+sentinel://user:hunter2-node@h1:99999/m?sentinelPassword=hunter2-sentinel'
    assert.throws(
      () => parseTopologyUrl(bad),
      (error: Error) => !error.message.includes('hunter2'),
    )
    // A password with an unencoded "/" or "@" is still hidden.
    assert.ok(!redactTopologyUrl('redis+cluster://u:pa/ss@w@h:7000').includes('pa/ss'))
  })
})
