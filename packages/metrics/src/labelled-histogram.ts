import type { Registry } from 'prom-client'

/** One label set's counts: bucket counts (not cumulative), sum and count. */
export interface HistogramSeries {
  observe(value: number): void
}

interface Series extends HistogramSeries {
  readonly labels: Record<string, string>
  readonly buckets: Float64Array
  sum: number
  count: number
}

export interface LabelledHistogramOptions<L extends string> {
  name: string
  help: string
  labelNames: readonly L[]
  /** Upper bounds, ascending; +Inf is added. */
  buckets: readonly number[]
  registers: readonly Registry[]
}

/**
 * A Prometheus histogram for the request path: `series(...labelValues)` finds its series through nested Maps keyed by
 * the values themselves, and `observe` adds to a typed array. prom-client's Histogram builds a label object, checks
 * every label and hashes them into a string on every observe — most of what a cached Bearer check costs with metrics
 * on (bench/cost.ts). It registers as a prom-client metric (the registry calls get()), so the exposition, the cluster
 * aggregator and `promtool check metrics` see an ordinary histogram.
 */
export class LabelledHistogram<L extends string> {
  readonly name: string
  readonly help: string
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly labelNames: readonly L[]
  private readonly upperBounds: readonly number[]
  private root = new Map<string, unknown>()
  private all: Series[] = []

  constructor(options: LabelledHistogramOptions<L>) {
    this.name = options.name
    this.help = options.help
    this.labelNames = options.labelNames
    this.upperBounds = [...options.buckets]
    for (const registry of options.registers) registry.registerMetric(this as never)
  }

  /** The series of these label values, in labelNames' order (created on first use). */
  series(...values: string[]): HistogramSeries {
    if (values.length !== this.labelNames.length) throw new TypeError(`${this.name}: ${this.labelNames.length} label values expected, got ${values.length}`)
    let level = this.root
    const last = values.length - 1
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]!) as Map<string, unknown> | undefined
      if (!next) level.set(values[i]!, (next = new Map()))
      level = next
    }
    let series = level.get(values[last]!) as Series | undefined
    if (!series) level.set(values[last]!, (series = this.create(values)))
    return series
  }

  private create(values: readonly string[]): Series {
    const bounds = this.upperBounds
    const series: Series = {
      labels: Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])),
      buckets: new Float64Array(bounds.length),
      sum: 0,
      count: 0,
      observe(value: number) {
        if (!Number.isFinite(value)) return
        series.sum += value
        series.count += 1
        for (let i = 0; i < bounds.length; i++) {
          if (value <= bounds[i]!) {
            series.buckets[i]! += 1
            return
          }
        }
      },
    }
    this.all.push(series)
    return series
  }

  /** What prom-client's registry renders: cumulative `_bucket` samples with `le`, then `_sum` and `_count`. */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> } {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = []
    for (const series of this.all) {
      let cumulative = 0
      this.upperBounds.forEach((bound, i) => {
        cumulative += series.buckets[i]!
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket` })
      })
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${this.name}_bucket` })
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` })
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset(): void {
    this.root = new Map()
    this.all = []
  }
}
