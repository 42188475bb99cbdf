/**
 * Limits on the request head that Swift's WSGI server (eventlet) enforces before its proxy
 * sees a request, answered the way it answers them (issue 11, item 7; checked against the
 * SAIO in test/integration/edge-parity.test.ts):
 *   - a header line of max_header_size bytes or more, CRLF included (the size /info
 *     advertises, 8192 by default) → "400 Header Line Too Long", empty body, connection closed;
 *   - a head over 64 KiB → "400 Headers Too Large" (Node's parser stops at that size and
 *     reports HPE_HEADER_OVERFLOW, whose default 431 answer is replaced here);
 *   - a request line of 8192 bytes or more, CRLF included (eventlet's url_length_limit) →
 *     "414 Request URI Too Long", empty body, connection closed; Node takes request lines up
 *     to the head limit, so this is checked here. A request line over 64 KiB is still
 *     "400 Headers Too Large": Node's parser stops first, and what it hands the clientError
 *     listener (the last packet) does not tell a long request line from long headers;
 *   - more than one transfer coding ("chunked, chunked") → 501 with swob's explanation;
 *     Node's parser rejects some of these itself (HPE_INVALID_TRANSFER_ENCODING), others
 *     reach the Swift layer (http/swift/request.ts bodyLength), which answers the same.
 * These are answered on the raw response for every surface, before any router runs: they are
 * the transport's limits, like Node's own 400 for a head it cannot parse. Owns nothing else.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** eventlet.wsgi.MAX_TOTAL_HEADER_SIZE; also the `maxHeaderSize` the server is created with. */
export const MAX_HEAD_BYTES = 65536

/** eventlet.wsgi.MAX_REQUEST_LINE (its url_length_limit), CRLF included. */
export const MAX_REQUEST_LINE = 8192

/** Swift's answers: eventlet writes them as HTTP/1.0 with an empty body and closes. */
const HEADER_LINE_TOO_LONG = 'Header Line Too Long'
const HEADERS_TOO_LARGE = 'HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'
const URI_TOO_LONG = 'Request URI Too Long'
/** swob's message_length explanation, as the Swift layer sends it too. */
export const UNSUPPORTED_CODING = 'Unsupported Transfer-Coding header value specified in Transfer-Encoding header'
const UNSUPPORTED_CODING_RAW = `HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: ${UNSUPPORTED_CODING.length}\r\nConnection: close\r\n\r\n${UNSUPPORTED_CODING}`

/** The longest header line, as sent ("Name: value\r\n"); Node has trimmed the value's outer spaces. */
function longestHeaderLine(req: IncomingMessage): number {
  let longest = 0
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) longest = Math.max(longest, raw[i].length + raw[i + 1].length + 4)
  return longest
}

/** The request line as sent ("GET /x HTTP/1.1\r\n"), in bytes. */
function requestLineBytes(req: IncomingMessage): number {
  return Buffer.byteLength(`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}\r\n`, 'latin1')
}

/** Wraps the request listener: a head with a too-long line is answered here, the rest go on. */
export function limitHead(handler: RequestListener, maxHeaderLine: number): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    // eventlet reads the request line first, so its limit is checked first.
    const uriTooLong = requestLineBytes(req) >= MAX_REQUEST_LINE
    if (!uriTooLong && longestHeaderLine(req) < maxHeaderLine) return handler(req, res)
    res.shouldKeepAlive = false
    if (uriTooLong) res.writeHead(414, URI_TOO_LONG, { Connection: 'close', 'Content-Length': '0' })
    else res.writeHead(400, HEADER_LINE_TOO_LONG, { Connection: 'close', 'Content-Length': '0' })
    res.end()
    // The body (if any) is never read: close rather than parse what follows as a request.
    res.once('finish', () => req.socket?.destroySoon())
  }
}

/**
 * The server's 'clientError' listener: a head too large gets Swift's answer; every other
 * parse error gets what Node's default listener sends (which adding a listener replaces).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A response already under way on this connection must not get a status line in its middle.
  const inProgress = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
  if (err.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? '413 Payload Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
  const raw = (err as { rawPacket?: Buffer }).rawPacket
  let answer = `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`
  if (err.code === 'HPE_HEADER_OVERFLOW') answer = HEADERS_TOO_LARGE
  // The head is small enough to be in the packet the parser stopped in.
  else if (err.code === 'HPE_INVALID_TRANSFER_ENCODING' && raw && codingCount(raw) > 1) answer = UNSUPPORTED_CODING_RAW
  socket.end(answer)
  socket.destroySoon()
}

/** How many transfer codings the head names, over all its Transfer-Encoding lines. */
function codingCount(raw: Buffer): number {
  const headEnd = raw.indexOf('\r\n\r\n')
  const head = raw.subarray(0, headEnd < 0 ? raw.length : headEnd).toString('latin1')
  let n = 0
  for (const m of head.matchAll(/^transfer-encoding[ \t]*:(.*)$/gim)) n += m[1].split(',').length
  return n
}
