/**
 * One prom-client child per label set, looked up through nested Maps by the label values themselves: a request builds
 * no label object and no key string (prom-client's labels() does both, per call).
 */
export function createSeriesCache<Args extends unknown[], Child>(make: (...args: Args) => Child): (...args: Args) => Child {
  const root = new Map<unknown, unknown>()
  return (...args: Args): Child => {
    let level = root
    const last = args.length - 1
    for (let i = 0; i < last; i++) {
      let next = level.get(args[i]) as Map<unknown, unknown> | undefined
      if (!next) level.set(args[i], (next = new Map()))
      level = next
    }
    let child = level.get(args[last]) as Child | undefined
    if (child === undefined) level.set(args[last], (child = make(...args)))
    return child
  }
}
