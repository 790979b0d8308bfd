import type { Request } from 'express'
import type { PolyRequest } from '@polytoken/core'
import type { ParsedBody } from './body/parse-body.js'

export function toPolyRequest(request: Request, path: string, parsed: ParsedBody, receivedAt: number): PolyRequest {
  const headers: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return {
    method: request.method,
    path,
    params: { ...(request.params as Record<string, string>) },
    query: normaliseQuery(request.query),
    headers,
    body: parsed.body,
    bodyType: parsed.bodyType,
    ip: request.ip ?? request.socket.remoteAddress ?? '',
    receivedAt,
  }
}

/** Only strings and arrays of strings survive: nested query objects are not part of any dialect. */
function normaliseQuery(query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  if (!query || typeof query !== 'object') return out
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') out[name] = value
    else if (Array.isArray(value)) out[name] = value.filter((item): item is string => typeof item === 'string')
  }
  return out
}
