export { polytokenMetrics, metricsHandler, type PolytokenMetrics, type PolytokenMetricsOptions } from './polytoken-metrics.js'
export { clusterMetricsHandler, shareWithClusterPrimary } from './cluster.js'
