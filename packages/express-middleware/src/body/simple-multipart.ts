/**
 * The shape nearly every multipart/form-data token request has — curl -F,
 * browsers' FormData, the form-data package — parsed straight from the
 * buffered body. Anything outside that shape returns `undefined` and the
 * caller hands the same bytes to busboy, which decides; this function never
 * refuses a body itself. A differential fuzz test checks that whatever it
 * accepts, busboy reads the same way (simple-multipart.test.ts).
 *
 * Accepted, byte for byte:
 *   Content-Type: multipart/form-data; boundary=<token>   (letters, digits, ' + _ . -; nothing else)
 *   --<boundary>CRLF
 *   Content-Disposition: form-data; name="<1+ printable ASCII, no " or \>"CRLF
 *   CRLF
 *   <value: valid UTF-8>CRLF--<boundary>   then CRLF (next part) or --
 *   after the closing --<boundary>--: nothing, or one CRLF.
 * Busboy took 14–22 % of POST /token/create's CPU on this shape (profiled).
 */

// Characters that are both MIME token characters (RFC 2045: no quoting needed) and boundary characters (RFC 2046).
const CONTENT_TYPE = /^multipart\/form-data; ?boundary=([A-Za-z0-9'+_.-]{1,70})$/i
const DISPOSITION = Buffer.from('Content-Disposition: form-data; name="', 'latin1')
const HEADER_END = Buffer.from('"\r\n\r\n', 'latin1')
const CR = 0x0d
const LF = 0x0a
const DASH = 0x2d

export interface SimpleMultipartLimits {
  /** Parts beyond this: not simple (busboy raises the limit error). */
  parts: number
  /** A value longer than this (bytes): not simple (busboy reports it truncated). */
  fieldBytes: number
  /** A name longer than this (bytes): not simple (busboy truncates names). */
  fieldNameBytes: number
}

export function simpleMultipartBoundary(contentType: string | undefined): string | undefined {
  return contentType === undefined ? undefined : CONTENT_TYPE.exec(contentType)?.[1]
}

/** The fields in order, or undefined when the body is not of the simple shape. */
export function parseSimpleMultipart(body: Buffer, boundary: string, limits: SimpleMultipartLimits): Array<[string, string]> | undefined {
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1')
  const dashBoundary = delimiter.subarray(2)
  if (!startsWithAt(body, dashBoundary, 0)) return undefined
  let position = dashBoundary.length
  const fields: Array<[string, string]> = []
  for (;;) {
    // After a boundary: "--" closes the body, CRLF opens a part.
    if (body[position] === DASH && body[position + 1] === DASH) return isEpilogueEmpty(body, position + 2) ? fields : undefined
    if (body[position] !== CR || body[position + 1] !== LF) return undefined
    position += 2
    if (fields.length >= limits.parts) return undefined

    if (!startsWithAt(body, DISPOSITION, position)) return undefined
    const nameStart = position + DISPOSITION.length
    const nameEnd = body.indexOf(HEADER_END, nameStart)
    // An empty name: busboy reports no name at all (found by the differential fuzz test).
    if (nameEnd <= nameStart || nameEnd - nameStart > limits.fieldNameBytes) return undefined
    for (let i = nameStart; i < nameEnd; i++) {
      const byte = body[i]!
      if (byte < 0x20 || byte > 0x7e || byte === 0x22 || byte === 0x5c) return undefined
    }
    const valueStart = nameEnd + HEADER_END.length
    // Searched from the header block's last CRLF: busboy reads a value that starts with --<boundary>
    // as an empty part whose headers never ended (found by the differential fuzz test).
    const valueEnd = body.indexOf(delimiter, valueStart - 2)
    if (valueEnd < valueStart || valueEnd - valueStart > limits.fieldBytes) return undefined
    const value = body.toString('utf8', valueStart, valueEnd)
    // Invalid UTF-8 decodes to U+FFFD here; busboy's decoder may differ: let it decide.
    if (value.includes('\uFFFD')) return undefined
    fields.push([body.toString('latin1', nameStart, nameEnd), value])
    position = valueEnd + delimiter.length
  }
}

function startsWithAt(body: Buffer, prefix: Buffer, at: number): boolean {
  return body.length - at >= prefix.length && body.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
}

function isEpilogueEmpty(body: Buffer, at: number): boolean {
  return body.length === at || (body.length === at + 2 && body[at] === CR && body[at + 1] === LF)
}
