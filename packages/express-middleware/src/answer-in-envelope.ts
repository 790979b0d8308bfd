import type { Request, Response } from 'express'
import type { PolytokenError } from '@polytoken/core'
import type { ParsedBody } from './body/parse-body.js'
import { ownerOf, type PolytokenRouter } from './polytoken.js'
import { pathInsideRouter } from './host-routes.js'
import { toPolyRequest } from './to-poly-request.js'
import { send } from './send.js'

const NO_BODY: ParsedBody = { body: undefined, bodyType: undefined }

/**
 * For host middleware that refuses a request before polytoken sees it — a rate limiter in front of the router —
 * answer `error` in the envelope of the dialect that owns the path, as polytoken's own refusals are (a Docker
 * client reads an errcode list, an OAuth client `{"error": ...}`), never cacheable. Returns false, answering
 * nothing, when the request is not for one of the router's dialect paths: the caller answers in its own format.
 *
 *   rateLimit({ handler: (req, res, _next, options) => {
 *     const error = new RateLimited('too many requests', { headers: { 'Retry-After': '60' } })
 *     if (!answerInDialectEnvelope(auth, req, res, error)) res.status(options.statusCode).json({ error: 'too many requests' })
 *   } })
 */
export function answerInDialectEnvelope(router: PolytokenRouter, req: Request, res: Response, error: PolytokenError): boolean {
  const path = pathInsideRouter(req, router)
  const route = path === undefined ? undefined : ownerOf(router.runtime.routes, path)
  if (!route || path === undefined) return false
  const response = route.fail(error, toPolyRequest(req, path, {}, NO_BODY, Date.now()))
  // The error's own headers (Retry-After) whether or not the dialect's envelope copies them; the envelope's win.
  send(res, { ...response, headers: { ...error.headers, ...response.headers } })
  return true
}
