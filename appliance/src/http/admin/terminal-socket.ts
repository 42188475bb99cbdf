/**
 * The web terminal's WebSocket at /api/terminal. Before the upgrade: the Origin must be this
 * host (a page of another site cannot open it with the admin's cookie) and the session must
 * be an administrator's. After it: the first message must carry the CSRF token and the
 * admin's password again (a stolen, unlocked browser is not a root shell); wrong passwords
 * are rate-limited per address. Then input, resize and output flow as JSON messages:
 *   client → {type:'auth', password, csrfToken, cols, rows} | {type:'input', data} | {type:'resize', cols, rows}
 *   server → {type:'ready'} | {type:'output', data} | {type:'exit', reason} | {type:'error', message}
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { TerminalSessions } from '../../health/terminal.js'
import type { SessionService, WebSession } from '../../identity/sessions.js'
import type { UserDirectory } from '../../identity/users.js'
import { FailureLimiter } from '../../lib/rate-limit.js'
import { SESSION_COOKIE, readCookie } from '../cookies.js'

export const TERMINAL_PATH = '/api/terminal'
const AUTH_WAIT_MS = 30_000
const MAX_MESSAGE_BYTES = 64 * 1024

export interface TerminalSocketDeps {
  sessions: SessionService
  users: Pick<UserDirectory, 'verify'>
  terminal: TerminalSessions
}

/** Same origin: the Origin header names the scheme and Host the request came to. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  const host = req.headers.host
  if (!origin || !host) return false
  try {
    const u = new URL(origin)
    return u.host === host && (u.protocol === 'http:' || u.protocol === 'https:')
  } catch {
    return false
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`)
}

/**
 * Serves the terminal on `server`: the plain HTTP listener and the HTTPS one each get it.
 * `refuse`: when it says so, this listener turns the terminal away (plain HTTP once HTTPS is
 * on, so that the admin's password never crosses the network in the clear).
 */
export function attachTerminal(server: Server | HttpsServer, d: TerminalSocketDeps & { refuse?: () => string | undefined }): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const failures = new FailureLimiter({ limit: 5, windowMs: 60_000 })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== TERMINAL_PATH) return
    socket.on('error', () => undefined)
    const why = d.refuse?.()
    if (why) return refuse(socket, 403, why)
    if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden')
    d.sessions.resume(readCookie(req.headers.cookie, SESSION_COOKIE)).then(
      (session) => {
        if (!session) return refuse(socket, 401, 'Unauthorized')
        if (!session.admin) return refuse(socket, 403, 'Forbidden')
        wss.handleUpgrade(req, socket, head, (ws) => serve(ws, session, req.socket.remoteAddress ?? '', d, failures))
      },
      () => refuse(socket, 500, 'Internal Server Error'),
    )
  })
  server.once('close', () => wss.close())
}

function serve(ws: WebSocket, session: WebSession, from: string, d: TerminalSocketDeps, failures: FailureLimiter): void {
  const send = (m: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m))
  const who = `${session.account}:${session.user}`
  let term: ReturnType<TerminalSessions['start']> | undefined
  let authing = false
  const authTimer = setTimeout(() => ws.close(4001, 'no authentication'), AUTH_WAIT_MS)
  ws.on('close', () => {
    clearTimeout(authTimer)
    term?.close()
  })
  ws.on('message', async (raw) => {
    let m: Record<string, unknown>
    try {
      m = JSON.parse(raw.toString())
    } catch {
      return ws.close(4000, 'bad message')
    }
    if (term) {
      if (m.type === 'input' && typeof m.data === 'string') term.write(m.data)
      if (m.type === 'resize') term.resize(Number(m.cols), Number(m.rows))
      return
    }
    if (m.type === 'resize' && !authing) return // a page may size its terminal before it authenticates
    if (m.type !== 'auth' || authing) return ws.close(4001, 'authenticate first')
    authing = true
    const wait = failures.blockedForMs(from)
    if (wait > 0) {
      send({ type: 'error', message: `too many wrong passwords; wait ${Math.ceil(wait / 1000)} s` })
      return ws.close(4003, 'rate limited')
    }
    const csrfOk = typeof m.csrfToken === 'string' && (() => {
      try {
        d.sessions.checkCsrf(session, m.csrfToken as string)
        return true
      } catch {
        return false
      }
    })()
    const user = csrfOk && typeof m.password === 'string' ? await d.users.verify(who, m.password) : undefined
    if (!user) {
      failures.fail(from)
      send({ type: 'error', message: csrfOk ? 'wrong password' : 'missing or wrong CSRF token' })
      return ws.close(4003, 'refused')
    }
    clearTimeout(authTimer)
    try {
      term = d.terminal.start(who, from, { cols: Number(m.cols), rows: Number(m.rows) }, (data) => send({ type: 'output', data }), (reason) => {
        send({ type: 'exit', reason })
        ws.close(1000, reason)
      })
    } catch (err) {
      send({ type: 'error', message: (err as Error).message })
      return ws.close(4008, 'unavailable')
    }
    send({ type: 'ready', session: term.id })
  })
}
