import type { IncomingMessage } from 'node:http'
import { RequestMalformed, RequestTooLarge } from '@polytoken/core'

/**
 * The whole body as a Buffer, refusing more than `limit` bytes (declared or
 * sent). Plain 'data'/'end' listeners: an async iterator over the request
 * cost more than the rest of the read on small bodies (profiled). Past the
 * limit the rest is discarded, not collected; the caller answers 413 and
 * closes the connection.
 */
export function readRaw(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new RequestTooLarge(`body is over ${limit} bytes`, { location: 'body' }))
  if (request.readableEnded) return Promise.resolve(Buffer.alloc(0))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const finish = (error?: Error) => {
      request.off('data', onData)
      request.off('end', onEnd)
      request.off('error', onError)
      request.off('close', onClose)
      if (error) {
        request.resume()
        reject(error)
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) return finish(new RequestTooLarge(`body is over ${limit} bytes`, { location: 'body' }))
      chunks.push(chunk)
    }
    const onEnd = () => finish()
    const onError = (cause: Error) => finish(new RequestMalformed('body could not be read', { location: 'body', cause }))
    // The client went away before the end of the body.
    const onClose = () => finish(new RequestMalformed('body could not be read', { location: 'body' }))
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('error', onError)
    request.on('close', onClose)
  })
}
