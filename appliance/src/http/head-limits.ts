/**
 * Limits on the request head that Swift's WSGI server (eventlet) enforces before its proxy
 * sees a request, answered the way it answers them (issue 11, item 7; checked against the
 * SAIO in test/integration/edge-parity.test.ts):
 *   - a header line of max_header_size bytes or more, CRLF included (the size /info
 *     advertises, 8192 by default) → "400 Header Line Too Long", empty body, connection closed;
 *   - a head over 64 KiB → "400 Headers Too Large" (Node's parser stops at that size and
 *     reports HPE_HEADER_OVERFLOW, whose default 431 answer is replaced here).
 * These are answered on the raw response for every surface, before any router runs: they are
 * the transport's limits, like Node's own 400 for a head it cannot parse. Owns nothing else.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** eventlet.wsgi.MAX_TOTAL_HEADER_SIZE; also the `maxHeaderSize` the server is created with. */
export const MAX_HEAD_BYTES = 65536

/** Swift's answers: eventlet writes them as HTTP/1.0 with an empty body and closes. */
const HEADER_LINE_TOO_LONG = 'Header Line Too Long'
const HEADERS_TOO_LARGE = 'HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

/** The longest header line, as sent ("Name: value\r\n"); Node has trimmed the value's outer spaces. */
function longestHeaderLine(req: IncomingMessage): number {
  let longest = 0
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) longest = Math.max(longest, raw[i].length + raw[i + 1].length + 4)
  return longest
}

/** Wraps the request listener: a head with a too-long line is answered here, the rest go on. */
export function limitHead(handler: RequestListener, maxHeaderLine: number): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (longestHeaderLine(req) < maxHeaderLine) return handler(req, res)
    res.shouldKeepAlive = false
    res.writeHead(400, HEADER_LINE_TOO_LONG, { Connection: 'close', 'Content-Length': '0' })
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
  socket.end(err.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : `HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
  socket.destroySoon()
}
