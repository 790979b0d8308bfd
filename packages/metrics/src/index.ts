export { polytokenMetrics, metricsHandler, type MeasuredRouter, type PolytokenMetrics, type PolytokenMetricsOptions } from './polytoken-metrics.js'
export { clusterMetricsHandler, shareWithClusterPrimary } from './cluster.js'
