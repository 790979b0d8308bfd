import request from 'supertest'
import type express from 'express'
import { LEGACY_BASIC } from './fixture.js'

export function tokenRequest(app: express.Express, fields: Record<string, string>, authorization: string | null = LEGACY_BASIC, prefix = '') {
  const req = request(app).post(`${prefix}/api/v1/token`).type('form')
  if (authorization !== null) req.set('Authorization', authorization)
  return req.send(fields)
}

export function login(app: express.Express, authorization: string = LEGACY_BASIC, fields: Record<string, string> = {}) {
  return tokenRequest(app, { grant_type: 'password', username: 'soroush', password: '123', scope: 'full', ...fields }, authorization)
}

export function refresh(app: express.Express, refreshToken: string, authorization: string = LEGACY_BASIC, fields: Record<string, string> = {}) {
  return tokenRequest(app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...fields }, authorization)
}

export function me(app: express.Express, accessToken: string) {
  return request(app).get('/api/v1/me').set('Authorization', `Bearer ${accessToken}`)
}

export function revoke(app: express.Express, token: string, authorization: string = LEGACY_BASIC, hint?: string) {
  return request(app)
    .post('/api/v1/token/revoke')
    .type('form')
    .set('Authorization', authorization)
    .send({ token, ...(hint ? { token_type_hint: hint } : {}) })
}

export function introspect(app: express.Express, token: string, authorization: string) {
  return request(app).post('/api/v1/token/introspect').type('form').set('Authorization', authorization).send({ token })
}
