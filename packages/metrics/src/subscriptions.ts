import type { PolytokenEventMap, PolytokenEventName, PolytokenEvents } from '@polytoken/core'

export type Listeners = { [K in PolytokenEventName]?: (...args: PolytokenEventMap[K]) => void }

/** Listen to several events at once; the function returned removes every listener. */
export function subscribe(events: PolytokenEvents, listeners: Listeners): () => void {
  const entries = Object.entries(listeners) as Array<[PolytokenEventName, (...args: unknown[]) => void]>
  const on = events.on.bind(events) as (name: PolytokenEventName, listener: (...args: unknown[]) => void) => void
  const off = events.off.bind(events) as (name: PolytokenEventName, listener: (...args: unknown[]) => void) => void
  for (const [name, listener] of entries) on(name, listener)
  return () => {
    for (const [name, listener] of entries) off(name, listener)
  }
}
