import type { NextFunction, Request, Response } from 'express'

/**
 * What the examples server answers for what no dialect owns. Express's own
 * fallbacks answer in HTML (its "Cannot GET" page, its error page); a token
 * service answers in JSON, in the neutral envelope polytoken's router uses for
 * its own extras: `{ "error": "<ERR_ code>", "message" }`.
 */
export function notFound(req: Request, res: Response): void {
  // Only the method goes into the message: the path is whatever the client sent.
  answer(res, 404, 'ERR_ROUTE_NOT_FOUND', `no route for ${req.method} here`)
}

/** Errors raised outside polytoken's router (which answers its own): 400 for a bad request, 500 otherwise. */
export function errorAnswer(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error)
  const status = (error as { status?: unknown } | undefined)?.status
  if (typeof status === 'number' && status >= 400 && status < 500) answer(res, 400, 'ERR_REQUEST_MALFORMED', 'request is malformed')
  else answer(res, 500, 'ERR_INTERNAL', 'internal error')
}

function answer(res: Response, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: code, message })
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}
