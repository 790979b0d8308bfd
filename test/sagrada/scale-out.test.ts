import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import request from 'supertest'
import { assertion, createApp, NODE_A, NODE_B, SECRET_A, SECRET_B } from './fixture.js'

test('two instances on one store: every new user gets a distinct uid, one user one uid, capacity holds across both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagrada-scale-'))
  const store = `sqlite://${join(dir, 'tokens.db')}`
  const nodes = { [NODE_A]: { capacity: 6, secrets: [SECRET_A] }, [NODE_B]: { capacity: 6, secrets: [SECRET_B] } }
  const one = await createApp({ nodes }, { now: Date.now() }, store)
  const two = await createApp({ nodes }, { now: Date.now() }, store)
  try {
    const emails = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`)
    const answers = await Promise.all(
      emails.flatMap((email) =>
        [one, two].map(({ app, clock }) =>
          request(app)
            .get('/1.0/sync/1.5')
            .set('authorization', `BrowserID ${assertion({ now: clock.now, email })}`),
        ),
      ),
    )
    for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body))
    const byEmail = new Map<string, Set<number>>()
    answers.forEach((res, i) => {
      const email = emails[Math.floor(i / 2)]!
      if (!byEmail.has(email)) byEmail.set(email, new Set())
      byEmail.get(email)!.add(res.body.uid)
    })
    for (const [email, uids] of byEmail) assert.equal(uids.size, 1, `${email} got ${[...uids].join(',')}`)
    const uids = [...byEmail.values()].map((set) => [...set][0])
    assert.equal(new Set(uids).size, emails.length, 'no uid handed to two users')
    const late = await request(one.app)
      .get('/1.0/sync/1.5')
      .set('authorization', `BrowserID ${assertion({ now: one.clock.now, email: 'late@example.com' })}`)
    assert.equal(late.status, 503, 'both nodes are full (6 + 6 seats)')
  } finally {
    await one.router.close()
    await two.router.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
