/**
 * One SNTP query (RFC 4330): how far this machine's clock is from an NTP server's, for the
 * wizard's clock check. Reads the server's transmit time and corrects for half the round
 * trip. Bounded by a timeout; never retries. No Velox imports.
 */
import { createSocket } from 'node:dgram'
import { isIP } from 'node:net'

/** Seconds between 1900-01-01 (NTP's epoch) and 1970-01-01. */
const NTP_UNIX_OFFSET = 2208988800

export interface ClockSample {
  server: string
  /** Server time − local time, milliseconds (positive: this clock is behind). */
  offsetMs: number
  roundTripMs: number
}

/** `server` is "host" or "host:port" (default 123). */
export async function queryNtp(server: string, timeoutMs = 2000): Promise<ClockSample> {
  const m = /^(.+?)(?::(\d+))?$/.exec(server)
  const host = m?.[1] ?? server
  const port = Number(m?.[2] ?? 123)
  const sock = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4')
  try {
    return await new Promise<ClockSample>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from ${server} in ${timeoutMs} ms`)), timeoutMs)
      const req = Buffer.alloc(48)
      req[0] = (4 << 3) | 3 // version 4, mode 3 (client)
      let sentAt = 0
      sock.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      sock.once('message', (msg) => {
        const receivedAt = Date.now()
        clearTimeout(timer)
        if (msg.length < 48 || (msg[0] & 7) !== 4) return reject(new Error(`${server} did not answer as an NTP server`))
        const seconds = msg.readUInt32BE(40)
        const fraction = msg.readUInt32BE(44)
        if (seconds === 0) return reject(new Error(`${server} is not synchronised`))
        const serverMs = (seconds - NTP_UNIX_OFFSET) * 1000 + (fraction / 2 ** 32) * 1000
        const roundTripMs = receivedAt - sentAt
        resolve({ server, offsetMs: Math.round(serverMs + roundTripMs / 2 - receivedAt), roundTripMs })
      })
      sentAt = Date.now()
      sock.send(req, port, host, (err) => {
        if (err) {
          clearTimeout(timer)
          reject(err)
        }
      })
    })
  } finally {
    sock.close()
  }
}

/** An NTP answer for `nowMs` (a test's local server; also documents the packet). */
export function ntpAnswer(nowMs: number): Buffer {
  const b = Buffer.alloc(48)
  b[0] = (0 << 6) | (4 << 3) | 4 // no leap warning, version 4, mode 4 (server)
  b[1] = 2 // stratum
  const sec = Math.floor(nowMs / 1000) + NTP_UNIX_OFFSET
  const frac = Math.floor(((nowMs % 1000) / 1000) * 2 ** 32)
  for (const at of [32, 40]) {
    b.writeUInt32BE(sec, at)
    b.writeUInt32BE(frac, at + 4)
  }
  return b
}
