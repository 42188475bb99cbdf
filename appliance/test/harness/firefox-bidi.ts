/**
 * A small WebDriver BiDi client for Debian's firefox-esr, which speaks BiDi natively (Playwright
 * needs its own patched Firefox, so it cannot drive this one). `launchFirefox()` starts Firefox
 * headless on a fresh profile, as a child of this process, and connects to its BiDi endpoint;
 * `close()` ends it, waits for it to exit (pid 1 in a container does not reap) and removes the
 * profile.
 *
 * No npm WebSocket package is a dependency (`ws` is not in node_modules) and Node 20 has no
 * global WebSocket without a flag, so this carries a minimal RFC 6455 client over an
 * HTTP upgrade: masked text frames out, text/binary frames (fragmented or not) in, ping
 * answered, close honoured. Enough for a loopback BiDi session, nothing more.
 *
 * Input goes in as a person's would where it matters: `clickNative`, `press` and `type` are
 * trusted pointer and key events (input.performActions), `setFiles` fills a file input as the
 * picker does (input.setFiles); `openTab({ isolated: true })` is a stranger's fresh profile (a
 * new user context); `on('network.responseCompleted', …)` sees the requests a page makes.
 *
 * Whatever runs in the page is passed as a string expression (the server's tsconfig has no DOM
 * types).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const FIREFOX = '/usr/bin/firefox-esr'

/** A minimal WebSocket client (text messages only) over node:http's upgrade. */
export class MiniWebSocket {
  private buf: Buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private closed = false
  onmessage: (text: string) => void = () => undefined
  onclose: (reason: string) => void = () => undefined

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => this.finish('socket closed'))
    socket.on('error', (err) => this.finish(`socket error: ${err.message}`))
  }

  static connect(url: string, timeoutMs = 10_000): Promise<MiniWebSocket> {
    const u = new URL(url)
    const key = randomBytes(16).toString('base64')
    return new Promise((resolve, reject) => {
      const req = request({
        host: u.hostname,
        port: Number(u.port),
        path: u.pathname + u.search,
        timeout: timeoutMs,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      })
      req.on('upgrade', (_res, socket, head) => {
        socket.setNoDelay(true)
        const ws = new MiniWebSocket(socket)
        if (head.length) ws.receive(head)
        resolve(ws)
      })
      req.on('response', (res) => {
        res.resume()
        reject(new Error(`WebSocket upgrade to ${url} refused: HTTP ${res.statusCode}`))
      })
      req.on('timeout', () => req.destroy(new Error(`WebSocket connect to ${url} timed out`)))
      req.on('error', reject)
      req.end()
    })
  }

  send(text: string): void {
    if (this.closed) throw new Error('WebSocket is closed')
    this.writeFrame(0x1, Buffer.from(text, 'utf8'))
  }

  close(): void {
    if (this.closed) return
    try {
      this.writeFrame(0x8, Buffer.from([0x03, 0xe8]))
    } catch {
      // the socket may be gone already
    }
    this.socket.end()
    this.finish('closed by client')
  }

  private finish(reason: string): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
    this.onclose(reason)
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    const len = payload.length
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
    header[0] = 0x80 | opcode
    if (len < 126) header[1] = 0x80 | len
    else if (len < 65536) {
      header[1] = 0x80 | 126
      header.writeUInt16BE(len, 2)
    } else {
      header[1] = 0x80 | 127
      header.writeBigUInt64BE(BigInt(len), 2)
    }
    const mask = randomBytes(4)
    const masked = Buffer.allocUnsafe(len)
    for (let i = 0; i < len; i++) masked[i] = payload[i] ^ mask[i & 3]
    this.socket.write(Buffer.concat([header, mask, masked]))
  }

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    for (;;) {
      if (this.buf.length < 2) return
      const fin = (this.buf[0] & 0x80) !== 0
      const opcode = this.buf[0] & 0x0f
      const masked = (this.buf[1] & 0x80) !== 0
      let len = this.buf[1] & 0x7f
      let off = 2
      if (len === 126) {
        if (this.buf.length < 4) return
        len = this.buf.readUInt16BE(2)
        off = 4
      } else if (len === 127) {
        if (this.buf.length < 10) return
        len = Number(this.buf.readBigUInt64BE(2))
        off = 10
      }
      const maskKey = masked ? this.buf.subarray(off, off + 4) : null
      if (masked) off += 4
      if (this.buf.length < off + len) return
      let payload = this.buf.subarray(off, off + len)
      if (maskKey) payload = Buffer.from(payload.map((b, i) => b ^ maskKey[i & 3]))
      this.buf = this.buf.subarray(off + len)
      if (opcode === 0x8) {
        this.finish('closed by server')
        return
      } else if (opcode === 0x9) {
        this.writeFrame(0xa, Buffer.from(payload))
      } else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
        this.fragments.push(Buffer.from(payload))
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8')
          this.fragments = []
          this.onmessage(text)
        }
      }
    }
  }
}

export interface BidiEvaluateResult {
  type: 'success' | 'exception'
  result?: { type: string; value?: unknown; sharedId?: string }
  exceptionDetails?: { text?: string }
}

/** A node in a page, as BiDi refers to it in commands (input.setFiles, pointer origins). */
export interface SharedReference {
  sharedId: string
}

/** A header as BiDi's network events carry it. */
export interface BidiHeader {
  name: string
  value: { type: string; value: string }
}

/** What network.responseCompleted tells about one request (the fields these tests use). */
export interface BidiResponseCompleted {
  context: string | null
  request: { url: string; method: string; headers: BidiHeader[] }
  response: { url: string; status: number; headers: BidiHeader[] }
}

/** One header's value from a BiDi header list (case-insensitive name), or undefined. */
export function headerOf(headers: BidiHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value.value
}

/** WebDriver's key codes for the named keys `press()` knows; any other key is one character. */
const KEYS: Record<string, string> = {
  Enter: '\uE007',
  Escape: '\uE00C',
  Tab: '\uE004',
  Backspace: '\uE003',
  Delete: '\uE017',
  Home: '\uE011',
  End: '\uE010',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Space: ' ',
}

/**
 * A top-level browsing context (tab) driven through a BiDi session: navigation, script, and
 * input as a person gives it — pointer clicks and key presses through `input.performActions`
 * (trusted events, focus moves as with a real mouse and keyboard) and files through
 * `input.setFiles`, the WebDriver counterpart of choosing files in the picker.
 */
export class BidiTab {
  readonly session: FirefoxBidi
  context: string

  constructor(session?: FirefoxBidi, context = '') {
    this.session = session ?? (this as unknown as FirefoxBidi)
    this.context = context
  }

  async navigate(url: string): Promise<void> {
    await this.session.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' })
  }

  /** Evaluates a string expression in the page (promises awaited); returns its value as JSON allows. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.session.send<BidiEvaluateResult>('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context: this.context },
      awaitPromise: true,
      resultOwnership: 'none',
    })
    if (r.type === 'exception') throw new Error(`page threw: ${r.exceptionDetails?.text ?? 'unknown error'} (in ${expression.slice(0, 120)})`)
    const v = r.result?.value
    return (typeof v === 'string' ? JSON.parse(v) : undefined) as T
  }

  /** Polls `expression` until it is truthy; throws `what` after `timeoutMs`. */
  async waitFor(expression: string, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last = ''
    for (;;) {
      try {
        if (await this.evaluate<boolean>(`!!(${expression})`)) return
      } catch (err) {
        last = (err as Error).message // a navigation may tear the realm down between polls
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** Sets an input's value the way typing would, so React's onChange sees it. */
  async fill(selector: string, value: string): Promise<void> {
    const ok = await this.evaluate<boolean>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)})
      if (!el) return false
      el.focus()
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, ${JSON.stringify(value)})
      el.dispatchEvent(new Event('input', { bubbles: true }))
      return true
    })()`)
    if (!ok) throw new Error(`no element matches ${selector}`)
  }

  /** A synthetic click (element.click()): for controls whose pointer position does not matter. */
  async click(selector: string): Promise<void> {
    const ok = await this.evaluate<boolean>(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return false; el.click(); return true })()`)
    if (!ok) throw new Error(`no element matches ${selector}`)
  }

  /** The first element matching `selector`, as a reference for input commands. */
  async element(selector: string): Promise<SharedReference> {
    const r = await this.session.send<BidiEvaluateResult>('script.evaluate', {
      expression: `document.querySelector(${JSON.stringify(selector)})`,
      target: { context: this.context },
      awaitPromise: false,
      resultOwnership: 'none',
      serializationOptions: { maxDomDepth: 0 },
    })
    if (r.type === 'exception' || r.result?.type !== 'node' || !r.result.sharedId) throw new Error(`no element matches ${selector}`)
    return { sharedId: r.result.sharedId }
  }

  /** A real mouse click at the element's centre (scrolled into view first), as a person clicks. */
  async clickNative(selector: string): Promise<void> {
    await this.evaluate(`document.querySelector(${JSON.stringify(selector)})?.scrollIntoView({ block: 'center', inline: 'center' })`)
    const element = await this.element(selector)
    await this.session.send('input.performActions', {
      context: this.context,
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element } },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    })
  }

  /** A real mouse click on the first element matching `selector` whose trimmed text is `text` (buttons and links named by their words). */
  async clickByText(selector: string, text: string): Promise<void> {
    const mark = `bidi-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
    const found = await this.evaluate<boolean>(`(() => {
      const el = [...document.querySelectorAll(${JSON.stringify(selector)})].find((e) => e.textContent.trim() === ${JSON.stringify(text)})
      if (!el) return false
      el.setAttribute('data-bidi-target', ${JSON.stringify(mark)})
      return true
    })()`)
    if (!found) throw new Error(`no ${selector} says ${JSON.stringify(text)}`)
    await this.clickNative(`[data-bidi-target="${mark}"]`)
  }

  /** Presses one key (a name from KEYS, or a character) on whatever has focus. */
  async press(key: string): Promise<void> {
    const value = KEYS[key] ?? key
    if ([...value].length !== 1) throw new Error(`press() takes one key, not ${JSON.stringify(key)}`)
    await this.session.send('input.performActions', {
      context: this.context,
      actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value }, { type: 'keyUp', value }] }],
    })
  }

  /** Types text into whatever has focus, key by key. */
  async type(text: string): Promise<void> {
    const actions = [...text].flatMap((c) => [{ type: 'keyDown', value: c }, { type: 'keyUp', value: c }])
    await this.session.send('input.performActions', { context: this.context, actions: [{ type: 'key', id: 'keyboard', actions }] })
  }

  /** Chooses files (absolute paths) in an `<input type=file>`, which then fires input and change. */
  async setFiles(selector: string, files: string[]): Promise<void> {
    await this.session.send('input.setFiles', { context: this.context, element: await this.element(selector), files })
  }

  /** A PNG of the viewport, or of one element's box. */
  async screenshot(selector?: string): Promise<Buffer> {
    const clip = selector ? { clip: { type: 'element', element: await this.element(selector) } } : {}
    const r = await this.session.send<{ data: string }>('browsingContext.captureScreenshot', { context: this.context, ...clip })
    return Buffer.from(r.data, 'base64')
  }

  /** Closes this tab (the session's first tab is closed with the browser by FirefoxBidi.close()). */
  async closeTab(): Promise<void> {
    await this.session.send('browsingContext.close', { context: this.context })
  }
}

type EventListener = (params: Record<string, unknown>) => void

/** A BiDi session on one Firefox: commands, events, and its first top-level tab (itself a BidiTab). */
export class FirefoxBidi extends BidiTab {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>()
  private readonly listeners = new Map<string, Set<EventListener>>()
  /** The size of every tab's viewport. */
  viewport = { width: 1280, height: 860 }

  constructor(
    private readonly ws: MiniWebSocket,
    readonly child: ChildProcess,
    private readonly profile: string,
    private readonly exited: Promise<void>,
  ) {
    super()
    ws.onmessage = (text) => {
      const msg = JSON.parse(text) as { id?: number; type?: string; method?: string; params?: Record<string, unknown>; result?: unknown; error?: string; message?: string }
      if (msg.type === 'event' && msg.method) {
        for (const fn of this.listeners.get(msg.method) ?? []) fn(msg.params ?? {})
        return
      }
      if (msg.id === undefined) return
      const p = this.pending.get(msg.id)
      if (!p) return
      this.pending.delete(msg.id)
      if (msg.type === 'error') p.reject(new Error(`BiDi ${p.method}: ${msg.error}: ${msg.message}`))
      else p.resolve(msg.result)
    }
    ws.onclose = (reason) => {
      for (const p of this.pending.values()) p.reject(new Error(`BiDi ${p.method}: connection lost (${reason})`))
      this.pending.clear()
    }
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`BiDi ${method}: no answer in ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        method,
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      })
      try {
        this.ws.send(JSON.stringify({ id, method, params }))
      } catch (err) {
        this.pending.delete(id)
        clearTimeout(timer)
        reject(err as Error)
      }
    })
  }

  /** Subscribes the session to events (e.g. network.responseCompleted) and calls `fn` with each; returns a function that stops the calls. */
  async on<T = Record<string, unknown>>(event: string, fn: (params: T) => void): Promise<() => void> {
    let set = this.listeners.get(event)
    if (!set) {
      set = new Set()
      this.listeners.set(event, set)
      await this.send('session.subscribe', { events: [event] })
    }
    const listener = fn as EventListener
    set.add(listener)
    return () => void set.delete(listener)
  }

  /**
   * Opens another tab; `isolated` puts it in a new user context (its own cookies and storage,
   * as a fresh browser profile would have: a stranger opening a link).
   */
  async openTab(opts: { isolated?: boolean } = {}): Promise<BidiTab> {
    const userContext = opts.isolated ? (await this.send<{ userContext: string }>('browser.createUserContext')).userContext : undefined
    const { context } = await this.send<{ context: string }>('browsingContext.create', { type: 'tab', ...(userContext ? { userContext } : {}) })
    await this.send('browsingContext.setViewport', { context, viewport: this.viewport })
    return new BidiTab(this, context)
  }

  /** Ends the session and Firefox (politely, then by force), awaits its exit, removes the profile. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.send('browser.close', {}, 5_000).catch(() => undefined)
    }
    this.ws.close()
    await exitWithin(this.child, this.exited, 5_000)
    rmSync(this.profile, { recursive: true, force: true })
  }
}

/** Waits for `child` to exit; after `graceMs`, SIGKILLs its process group (it was started detached, as a group leader). */
async function exitWithin(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())])
  if (timedOut && child.pid) {
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      child.kill('SIGKILL')
    }
    await exited
  }
}

export interface LaunchOptions {
  width?: number
  height?: number
  /** Time allowed for Firefox to start listening. */
  timeoutMs?: number
}

/** Starts firefox-esr headless on a fresh profile and opens a BiDi session with one tab. */
export async function launchFirefox(opts: LaunchOptions = {}): Promise<FirefoxBidi> {
  const profile = mkdtempSync(join(tmpdir(), 'velox-firefox-'))
  // Quiet, offline-ish profile: no first-run pages, updates, telemetry or safe-browsing fetches.
  writeFileSync(
    join(profile, 'user.js'),
    [
      ['browser.shell.checkDefaultBrowser', false],
      ['browser.startup.homepage_override.mstone', 'ignore'],
      ['browser.aboutwelcome.enabled', false],
      ['datareporting.policy.dataSubmissionEnabled', false],
      ['toolkit.telemetry.reportingpolicy.firstRun', false],
      ['app.update.enabled', false],
      ['browser.safebrowsing.malware.enabled', false],
      ['browser.safebrowsing.phishing.enabled', false],
      ['network.captive-portal-service.enabled', false],
      ['extensions.update.enabled', false],
    ]
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
      .join('\n') + '\n',
  )
  const child = spawn(FIREFOX, ['--headless', '--no-remote', '--remote-debugging-port=0', '--profile', profile, `--width=${opts.width ?? 1280}`, `--height=${opts.height ?? 860}`, 'about:blank'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' },
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`firefox did not start listening in ${opts.timeoutMs ?? 20_000} ms; output:\n${output}`)), opts.timeoutMs ?? 20_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const m = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(output)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('error', (err) => (clearTimeout(timer), reject(err)))
      child.once('exit', (code, signal) => (clearTimeout(timer), reject(new Error(`firefox exited (${code ?? signal}) before listening; output:\n${output}`))))
    })
    // Keep draining its output so a full pipe never blocks it.
    child.stdout?.resume()
    child.stderr?.resume()
    const ws = await MiniWebSocket.connect(`${endpoint.replace(/\/$/, '')}/session`)
    const ff = new FirefoxBidi(ws, child, profile, exited)
    try {
      await ff.send('session.new', { capabilities: {} })
      const tree = await ff.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', { maxDepth: 0 })
      ff.context = tree.contexts[0].context
      ff.viewport = { width: opts.width ?? 1280, height: opts.height ?? 860 }
      await ff.send('browsingContext.setViewport', { context: ff.context, viewport: ff.viewport })
    } catch (err) {
      await ff.close()
      throw err
    }
    return ff
  } catch (err) {
    await exitWithin(child, exited, 0)
    rmSync(profile, { recursive: true, force: true })
    throw err
  }
}
