/**
 * BENCH_OTEL=1: the bench server registers the OpenTelemetry SDK as an operator would (docs/operations.md#tracing):
 * AsyncLocalStorage context, a batch span processor, and an exporter that drops the spans (so the figure is polytoken's
 * spans and the SDK's cost, not a collector's). pm-*-observed, on that second server, against pm-* on the first, is
 * what metrics and tracing together cost.
 */
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base'

const dropSpans: SpanExporter = {
  export(_spans: ReadableSpan[], done) {
    done({ code: 0 })
  },
  shutdown: async () => {},
}

/** `sampleRatio` below 1: the parent-based ratio sampler docs/operations.md suggests (unsampled requests make no spans). */
export function registerOpenTelemetrySdk(sampleRatio = 1): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const sampler = sampleRatio < 1 ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }) : undefined
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)], ...(sampler ? { sampler } : {}) }))
}
