import type { IncomingMessage } from 'node:http'
import { RequestMalformed, RequestTooLarge } from '@polytoken/core'

/** The whole body as a Buffer, refusing more than `limit` bytes (declared or sent). */
export async function readRaw(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw new RequestTooLarge(`body is over ${limit} bytes`, { location: 'body' })
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length
      if (size > limit) throw new RequestTooLarge(`body is over ${limit} bytes`, { location: 'body' })
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (error instanceof RequestTooLarge) throw error
    throw new RequestMalformed('body could not be read', { location: 'body', cause: error })
  }
  return Buffer.concat(chunks, size)
}
