import type { Response } from 'express'
import type { PolyResponse } from '@polytoken/core'
import { noteErrorCode } from './observe/observe-route.js'

/**
 * Write a core response. Strings and Buffers go out as they are, anything
 * else as JSON. Token responses are never cacheable unless the dialect says
 * otherwise, and no answer is ever content-sniffed.
 */
export function send(res: Response, response: PolyResponse): void {
  if (res.headersSent) return
  noteErrorCode(res, response.code)
  // Node's own setters: Express's res.status() only adds validation of a status the core already chose.
  res.statusCode = response.status
  const headers = response.headers
  if (headers) for (const name in headers) res.setHeader(name, headers[name]!)
  if (!res.hasHeader('cache-control')) res.setHeader('Cache-Control', 'no-store')
  // Every answer is JSON or plain text: a browser must never sniff one into HTML or script.
  res.setHeader('X-Content-Type-Options', 'nosniff')
  const body = response.body
  if (body === undefined || response.status === 204 || response.status === 304) {
    res.end()
    return
  }
  let payload: string | Buffer
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    payload = body
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  } else {
    payload = JSON.stringify(body)
    if (!res.hasHeader('content-type')) res.setHeader('Content-Type', 'application/json; charset=utf-8')
  }
  res.setHeader('Content-Length', Buffer.byteLength(payload))
  res.end(payload)
}
