import type { ErrorRequestHandler, NextFunction, Request, Response, Router } from 'express'
import { hostParserRefusal, recordHostRefusal } from './body/host-failure.js'
import { bodyTypeOf } from './body/media-type.js'
import { mountPointOf } from './mount-point.js'

/**
 * router.errors: the error handler a host app mounts once, after its routes
 * (`app.use(router.errors)`), when its body parsers run before polytoken.
 * A body-parser refusal (broken JSON, too large, a charset or encoding it
 * does not take) of a request on the router's paths is handed to the
 * router, which answers as if it had read the body itself: a route that
 * reads that body type answers the refusal in its dialect's envelope and
 * status (400, 413, 415); a route that takes no body, or not that type,
 * answers as it always does (a GET ignores the body; another type is its
 * 415). Everything else — other errors, other paths, a response already
 * started — goes on to the host's next error handler untouched.
 */
export function hostErrorHandler(router: Router): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const refusal = hostParserRefusal(error, bodyTypeOf(req.headers['content-type']))
    const mount = refusal && !res.headersSent ? mountPointOf(req, router) : undefined
    if (!refusal || !mount) return next(error)
    const saved = { url: req.url, baseUrl: req.baseUrl }
    recordHostRefusal(req, refusal)
    req.baseUrl = mount.baseUrl
    req.url = mount.url
    // The router answers, or falls through (a path it does not serve): then the host's handlers get the original error.
    router(req, res, (routerError?: unknown) => {
      req.url = saved.url
      req.baseUrl = saved.baseUrl
      next(routerError ?? error)
    })
  }
}
