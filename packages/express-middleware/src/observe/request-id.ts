import { randomUUID } from 'node:crypto'
import type { NextFunction, Request, Response, Router } from 'express'

/** An incoming id is kept only when it is short and cannot break a log line or a header: 1 to 64 of these. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
const REQUEST_ID = Symbol('polytoken.requestId')

type WithRequestId = Request & { [REQUEST_ID]?: string }

/** The caller's X-Request-Id when it is safe to repeat; undefined otherwise (absent, repeated, too long, other characters). */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : undefined
}

/** Give the request its id (the caller's when safe, else a new UUID) and return it in X-Request-Id; once per request. */
export function assignRequestId(req: Request, res: Response): string {
  const own = req as WithRequestId
  let id = own[REQUEST_ID]
  if (id === undefined) {
    id = acceptedRequestId(req.headers['x-request-id']) ?? randomUUID()
    own[REQUEST_ID] = id
    res.setHeader('X-Request-Id', id)
  }
  return id
}

/** The id assignRequestId gave this request. */
export function requestIdOf(req: Request): string | undefined {
  return (req as WithRequestId)[REQUEST_ID]
}

/** Every request that enters the router gets its id first, on Express's routing and the fast dispatch alike. */
export function installRequestIds(router: Router): void {
  const instance = router as Router & { handle(req: Request, res: Response, next: NextFunction): void }
  const handle = instance.handle.bind(router)
  instance.handle = (req, res, next) => {
    assignRequestId(req, res)
    handle(req, res, next)
  }
}
