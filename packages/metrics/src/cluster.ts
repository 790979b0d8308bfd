import { AggregatorRegistry, type Registry } from 'prom-client'
import { metricsHandler } from './polytoken-metrics.js'

/**
 * In a node:cluster worker: let the primary's clusterMetricsHandler collect this registry (over the cluster's IPC
 * channel). Call once per worker, with the registry of polytokenMetrics().
 */
export function shareWithClusterPrimary(registry: Registry): void {
  // Constructing one is what makes prom-client answer the primary's requests in a worker.
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
}

/**
 * In the cluster primary: a handler that asks every worker for its series and answers their sum (histograms and
 * counters add up; polytoken_store_up is the minimum). A worker that does not answer within prom-client's timeout
 * fails the scrape (503) rather than under-counting silently.
 */
export function clusterMetricsHandler() {
  const aggregator = new AggregatorRegistry()
  return metricsHandler(() => aggregator.clusterMetrics(), aggregator.contentType)
}
