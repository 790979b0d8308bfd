import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AggregatorRegistry, Histogram, Registry } from 'prom-client'
import { LabelledHistogram } from './labelled-histogram.js'

const buckets = [0.001, 0.01, 0.1, 1]
const observations: Array<[string, string, number]> = [
  ['zazz', '200', 0.0004],
  ['zazz', '200', 0.001],
  ['zazz', '401', 0.05],
  ['crew', '200', 2],
  ['crew', '200', 0.2],
  ['zazz', '200', 0.5],
]

function both() {
  const ours = new Registry()
  const theirs = new Registry()
  const labelled = new LabelledHistogram({ name: 'x_seconds', help: 'help text', labelNames: ['dialect', 'status'], buckets, registers: [ours] })
  const reference = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['dialect', 'status'] as const, buckets, registers: [theirs] })
  for (const [dialect, status, value] of observations) {
    labelled.series(dialect, status).observe(value)
    reference.labels(dialect, status).observe(value)
  }
  return { ours, theirs, labelled }
}

test('the exposition is prom-client Histogram’s, line for line, for the same observations', async () => {
  const { ours, theirs } = both()
  assert.equal(await ours.metrics(), await theirs.metrics())
})

test('cluster aggregation sums it like a prom-client histogram', async () => {
  const a = both()
  const b = both()
  const ref = both()
  const aggregated = AggregatorRegistry.aggregate([await a.ours.getMetricsAsJSON(), await b.ours.getMetricsAsJSON()])
  const expected = AggregatorRegistry.aggregate([await ref.theirs.getMetricsAsJSON(), await ref.theirs.getMetricsAsJSON()])
  assert.equal(await aggregated.metrics(), await expected.metrics())
})

test('a wrong number of label values is refused; a non-finite value is not counted; reset empties it', async () => {
  const { ours, labelled } = both()
  assert.throws(() => labelled.series('zazz'), /2 label values expected/)
  labelled.series('zazz', '200').observe(Number.NaN)
  assert.match(await ours.metrics(), /x_seconds_count\{dialect="zazz",status="200"\} 3\n/)
  ours.resetMetrics()
  assert.doesNotMatch(await ours.metrics(), /x_seconds_count/)
})
