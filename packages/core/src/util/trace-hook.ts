/** Span attributes: plain values, never a secret. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean>>

/**
 * Runs `work` (sync or async) as a child span of the request being served: core names the work (store operations,
 * signing, authentication, validation), the host binds a tracer (@polytoken/express: OpenTelemetry). One per process.
 */
export type TraceHook = <T>(name: string, attributes: SpanAttributes, work: () => T, leaf?: boolean) => T
let hook: TraceHook | undefined

/** Install the process's trace hook (undefined removes it). */
export const setTraceHook = (next: TraceHook | undefined): void => void (hook = next)

/** `work()` in a span when a hook is installed; without one, a branch more than `work()`. */
export const traced = <T>(name: string, attributes: SpanAttributes, work: () => T): T => (hook === undefined ? work() : hook(name, attributes, work))

/**
 * The same for work that starts no span of its own (signing, validation, parsing, an in-process store): the hook need
 * not make its span the active one, which under an AsyncLocalStorage context manager is most of a span's cost.
 */
export const tracedLeaf = <T>(name: string, attributes: SpanAttributes, work: () => T): T => (hook === undefined ? work() : hook(name, attributes, work, true))
