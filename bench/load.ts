/** autocannon wrappers shared by the bench runners: one scenario → one result. */
import autocannon from 'autocannon'

export interface Scenario {
  key: string
  name: string
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  /**
   * Requests that consume a token and return the next one (refresh-token rotation):
   * each request takes a token from the pool, each answer puts the new one back.
   */
  chain?: { pool: string[]; body(token: string): string; next(json: any): string | undefined }
  /** Override connections / seconds for this scenario (password grants are slow by design). */
  connections?: number
  seconds?: number
  /** Another bench server than the main one (the OpenTelemetry one: pm-*-observed). */
  port?: number
}

export interface Result {
  key: string
  name: string
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  errors: number
  non2xx: number
  requests: number
  connections: number
  seconds: number
}

export function run(port: number, scenario: Scenario, options: { connections: number; seconds: number; overallRate?: number }): Promise<Result> {
  const connections = scenario.connections ?? options.connections
  const seconds = scenario.seconds ?? options.seconds
  const chain = scenario.chain
  const request = chain
    ? {
        method: scenario.method,
        path: scenario.path,
        headers: scenario.headers ?? {},
        setupRequest(req: { body?: string }) {
          req.body = chain.body(chain.pool.shift() ?? 'pool-exhausted')
          return req
        },
        onResponse(status: number, body: string) {
          if (status !== 200) return
          try {
            const next = chain.next(JSON.parse(body))
            if (next) chain.pool.push(next)
          } catch {
            /* counted as an error by the status already */
          }
        },
      }
    : undefined
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${scenario.port ?? port}${scenario.path}`,
        ...(request ? { requests: [request] } : { method: scenario.method, headers: scenario.headers ?? {}, ...(scenario.body === undefined ? {} : { body: scenario.body }) }),
        connections,
        duration: seconds,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
      } as autocannon.Options,
      (error, result) => {
        if (error) return reject(error as Error)
        resolve({
          key: scenario.key,
          name: scenario.name,
          rps: result.requests.average,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          requests: result.requests.total,
          connections,
          seconds,
        })
      },
    )
  })
}
