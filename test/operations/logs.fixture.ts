import { Writable } from 'node:stream'
import express from 'express'
import { pino } from 'pino'
import { AuthInvalid, basic, defineDialect, defineRoute, type Logger } from '@polytoken/core'
import { polytoken, type PolytokenRouterOptions } from '@polytoken/express'

/** pino exactly as a host builds it, writing its JSON lines into memory. */
export function capturedPino(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { logger: pino({ level: 'info' }, sink), lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) }
}

export const PROBE_PASSWORD = 'probe-password-0123456789'

/** A small dialect with the shapes a request can take: a static path, a parameter, a body, a credential, a crash. */
export const probe = defineDialect({
  name: 'probe',
  errorSchema: { type: 'object' },
  setup(services) {
    return {
      routes: [
        defineRoute({ method: 'GET', path: '/ok', handle: () => ({ status: 200, body: { ok: true } }) }),
        defineRoute({ method: 'GET', path: '/items/:id', handle: ({ request }) => ({ status: 200, body: { id: request.params.id } }) }),
        defineRoute({
          method: 'POST',
          path: '/store',
          accepts: ['json'],
          auth: [
            basic({
              realm: 'probe',
              verify: async ({ pair }) => {
                if (pair?.username !== 'probe' || pair.password !== PROBE_PASSWORD) throw new AuthInvalid('wrong username or password')
                return { username: pair.username }
              },
            }),
          ],
          schema: { body: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } } },
          handle: async ({ input }) => {
            await services.store.set('last', (input.body as { value: string }).value)
            return { status: 200, body: { stored: await services.store.get('last') } }
          },
        }),
        defineRoute({
          method: 'GET',
          path: '/boom',
          handle: () => {
            throw new Error('boom')
          },
        }),
      ],
      renderError: (error) => ({ status: error.status, body: { error: error.code } }),
    }
  },
})

export async function probeApp(options: Partial<PolytokenRouterOptions> = {}) {
  const router = await polytoken({ dialects: [{ dialect: probe, prefix: '/probe' }], store: 'memory://', ...options })
  const app = express()
  app.use('/auth', router)
  return { app, router }
}
