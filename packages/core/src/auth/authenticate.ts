import { AuthRequired, isPolytokenError, toPolytokenError, type PolytokenError } from '../errors.js'
import type { AuthContext, AuthMethod } from './auth-method.js'

/**
 * Try each method in order. The first that finds a credential decides: its principal, or its error. No credential at
 * all → AuthRequired. Every error leaves carrying the challenges of all the route's methods.
 */
export async function authenticate<P>(methods: readonly AuthMethod<P>[], context: AuthContext, extracted?: readonly unknown[]): Promise<P> {
  for (let i = 0; i < methods.length; i++) {
    const method = methods[i]!
    // `extracted`: what each method's extract() already returned for this request (the pipeline looks first).
    const credential = extracted ? extracted[i] : method.extract(context.request)
    if (credential === undefined) continue
    try {
      return await method.verify(credential, context)
    } catch (error) {
      throw withChallenges(isPolytokenError(error) ? error : toPolytokenError(error), methods)
    }
  }
  throw withChallenges(new AuthRequired('authentication required'), methods)
}

function withChallenges(error: PolytokenError, methods: readonly AuthMethod<unknown>[]): PolytokenError {
  if (error.status !== 401) return error
  error.challenges = methods.flatMap((method) => {
    const challenge = method.challenge(error)
    return challenge ? [challenge] : []
  })
  return error
}
