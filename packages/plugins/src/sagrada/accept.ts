/**
 * Does the Accept header allow application/json? The most specific matching
 * range decides (`application/json;q=0` beats `*\/*`); no header allows all.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true
  let best: { specificity: number; q: number } | undefined
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';')
    const type = range!.trim()
    const specificity = type === 'application/json' ? 3 : type === 'application/*' ? 2 : type === '*/*' ? 1 : 0
    if (specificity === 0) continue
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    const weight = Number.isFinite(q) ? q : 0
    if (!best || specificity > best.specificity) best = { specificity, q: weight }
  }
  return best !== undefined && best.q > 0
}
