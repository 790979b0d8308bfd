import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry, prometheusContentType, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client'
import { ioDeadline } from '@polytoken/core'
import { metricsHandler } from './polytoken-metrics.js'

/** Our own IPC messages (not prom-client's): the primary's timeout and its wait for answers already received are ours to set. */
const REQUEST = 'polytoken:metrics-request'
const ANSWER = 'polytoken:metrics-answer'

type Series = MetricObjectWithValues<MetricValue<string>>[]
interface MetricsRequest {
  type: typeof REQUEST
  id: number
}
interface MetricsAnswer {
  type: typeof ANSWER
  id: number
  metrics?: Series
  error?: string
}

const isRequest = (message: unknown): message is MetricsRequest => (message as MetricsRequest | null)?.type === REQUEST
const isAnswer = (message: unknown): message is MetricsAnswer => (message as MetricsAnswer | null)?.type === ANSWER

/**
 * In a node:cluster worker: let the primary's clusterMetricsHandler collect this registry (over the cluster's IPC
 * channel). Call once per worker, with the registry of polytokenMetrics().
 */
export function shareWithClusterPrimary(registry: Registry): void {
  if (!cluster.isWorker) throw new Error('shareWithClusterPrimary: call it in a node:cluster worker')
  process.on('message', (message) => {
    if (!isRequest(message)) return
    const answer = (fields: Omit<MetricsAnswer, 'type' | 'id'>) => process.send?.({ type: ANSWER, id: message.id, ...fields } satisfies MetricsAnswer)
    registry.getMetricsAsJSON().then(
      (metrics) => answer({ metrics }),
      (error: unknown) => answer({ error: (error as Error)?.message ?? 'collecting failed' }),
    )
  })
}

export interface ClusterMetricsOptions {
  /**
   * How long the primary waits for every worker at most, in ms (default 10 000, Prometheus's own default
   * scrape_timeout). Prometheus sends X-Prometheus-Scrape-Timeout-Seconds: a shorter timeout there, less 250 ms, wins.
   */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000

/**
 * In the cluster primary: a handler that asks every worker for its series and answers their sum (histograms and
 * counters add up; polytoken_store_up is the minimum). A worker that does not answer in time fails the scrape (503,
 * naming the worker) rather than under-counting silently.
 */
export function clusterMetricsHandler(options: ClusterMetricsOptions = {}) {
  const collector = new ClusterCollector(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  return metricsHandler((req) => collector.collect(collector.timeoutFor(req.headers['x-prometheus-scrape-timeout-seconds'])), prometheusContentType)
}

interface Pending {
  waiting: Map<number, Worker>
  answers: Series[]
  settle(error: Error | undefined): void
}

class ClusterCollector {
  private nextId = 0
  private readonly pending = new Map<number, Pending>()

  private readonly defaultTimeoutMs: number

  constructor(defaultTimeoutMs: number) {
    this.defaultTimeoutMs = defaultTimeoutMs
    cluster.on('message', (worker, message) => {
      if (isAnswer(message)) this.answered(worker, message)
    })
    // A worker that exits while asked will not answer: fail that scrape now rather than at the timeout.
    cluster.on('exit', (worker) => {
      for (const request of this.pending.values()) if (request.waiting.has(worker.id)) request.settle(new Error(`worker ${worker.process.pid} exited while its metrics were asked for`))
    })
  }

  /** The scraper's timeout can only shorten the wait: whoever reaches the port cannot make the primary hold requests open longer. */
  timeoutFor(header: string | string[] | undefined): number {
    const seconds = Number(Array.isArray(header) ? header[0] : header)
    return Number.isFinite(seconds) && seconds > 0 ? Math.min(this.defaultTimeoutMs, Math.max(100, seconds * 1000 - 250)) : this.defaultTimeoutMs
  }

  collect(timeoutMs: number): Promise<string> {
    const id = this.nextId++
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && worker.isConnected())
    if (workers.length === 0) return Promise.resolve('')
    return new Promise<string>((resolve, reject) => {
      const request: Pending = {
        waiting: new Map(workers.map((worker) => [worker.id, worker])),
        answers: [],
        settle: (error) => {
          if (!this.pending.delete(id)) return
          clearTimeout(timer)
          if (error) reject(error)
          else resolve(AggregatorRegistry.aggregate(request.answers).metrics())
        },
      }
      this.pending.set(id, request)
      // Answers that arrived while this process stalled past the deadline still count (ioDeadline).
      const silent = () => [...request.waiting.values()].map((worker) => worker.process.pid).join(', ')
      const timer = ioDeadline(() => request.settle(new Error(`no answer within ${timeoutMs} ms from worker ${silent()}`)), timeoutMs)
      for (const worker of workers) worker.send({ type: REQUEST, id } satisfies MetricsRequest)
    })
  }

  private answered(worker: Worker, answer: MetricsAnswer): void {
    const request = this.pending.get(answer.id)
    if (!request || !request.waiting.delete(worker.id)) return
    if (answer.error !== undefined || !answer.metrics) return request.settle(new Error(`worker ${worker.process.pid} could not collect its metrics: ${answer.error ?? 'no series'}`))
    request.answers.push(answer.metrics)
    if (request.waiting.size === 0) request.settle(undefined)
  }
}
