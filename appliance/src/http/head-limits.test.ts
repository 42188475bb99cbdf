/**
 * The transport's limits without a Swift to compare with (edge-parity.test.ts compares them
 * with the SAIO when it is installed): a request line of 8192 bytes or more is 414, under it
 * the request goes on; more than one transfer coding is 501 with swob's explanation, whether
 * Node's parser rejects the head (HPE_INVALID_TRANSFER_ENCODING) or not; a head over 64 KiB
 * is 400 (Swift says 414 when its first line alone is that long; Node's parser stops first).
 */
import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { head, rawRequest } from '../../test/harness/raw-http.js'
import { MAX_HEAD_BYTES, MAX_REQUEST_LINE, UNSUPPORTED_CODING, answerClientError, limitHead } from './head-limits.js'

describe('http/head-limits', () => {
  let server: Server
  let url: string

  before(async () => {
    server = createServer({ maxHeaderSize: MAX_HEAD_BYTES }, limitHead((req, res) => res.end(`ok ${req.headers['transfer-encoding'] ?? ''}`), 8192))
    server.on('clientError', answerClientError)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  /** A GET whose request line, CRLF included, is `n` bytes. */
  const lineOf = (n: number) => head('GET', `/${'a'.repeat(n - 'GET / HTTP/1.1\r\n'.length)}`, [['Host', 'x'], ['Connection', 'close']])
  const statusLine = (raw: Buffer) => raw.toString('latin1').split('\r\n')[0]
  const body = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n').slice(1).join('\r\n\r\n')

  it('answers 414 to a request line of 8192 bytes or more, as eventlet does', async () => {
    expect((await rawRequest(url, [lineOf(MAX_REQUEST_LINE - 1)])).status).to.equal(200)
    for (const n of [MAX_REQUEST_LINE, 16_384, 60_000]) {
      const a = await rawRequest(url, [lineOf(n)])
      expect(statusLine(a.raw), `request line of ${n} bytes`).to.match(/^HTTP\/1\.[01] 414 Request URI Too Long$/)
      expect(a.closed).to.equal(true)
    }
  })

  it('keeps 400 for a head over 64 KiB whose request line is short', async () => {
    const a = await rawRequest(url, [head('GET', '/x', [['Host', 'x'], ...Array.from({ length: 9 }, (_, i): [string, string] => [`X-H${i}`, 'v'.repeat(8000)])])])
    expect(statusLine(a.raw)).to.equal('HTTP/1.0 400 Headers Too Large')
  })

  it('answers 501 to more than one transfer coding, in one line or two', async () => {
    for (const codings of [['chunked, chunked'], ['chunked', 'chunked'], ['gzip, chunked']]) {
      const a = await rawRequest(url, [head('PUT', '/x', [['Host', 'x'], ['Connection', 'close'], ...codings.map((c): [string, string] => ['Transfer-Encoding', c])]), '1\r\nx\r\n0\r\n\r\n'])
      // "gzip, chunked" passes Node's parser and reaches the listener (the Swift layer answers it there).
      if (codings[0] === 'gzip, chunked') expect(a.status, codings.join(' + ')).to.equal(200)
      else {
        expect(statusLine(a.raw), codings.join(' + ')).to.equal('HTTP/1.1 501 Not Implemented')
        expect(body(a.raw)).to.equal(UNSUPPORTED_CODING)
      }
    }
  })

  it('still answers 400 to other malformed heads', async () => {
    const a = await rawRequest(url, ['GET /x HTTP/1.1\r\nHost: x\r\nNo-Colon-Here\r\n\r\n'])
    expect(statusLine(a.raw)).to.equal('HTTP/1.1 400 Bad Request')
  })
})
