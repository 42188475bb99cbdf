/**
 * Crash consistency of objects and listings (issue 11 item 9), in the shape of the fault run
 * that found the drift: a child appliance process takes PUTs (random sizes, overwrites) and
 * DELETEs on many connections and is killed with SIGKILL at a random moment, then started
 * again on the same data; several rounds. After each restart every acknowledged write reads
 * back (or the write that was in flight on that object at the kill does), and the listing
 * matches the objects exactly: no phantom row, no missing row, each row with its object's
 * ETag and size, and the container's and the account's counts and bytes equal to the rows'.
 */
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '../../src/lib/random.js'

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '../harness/crash-appliance.js')
const ROUNDS = 5
const WORKERS = 16
const NAMES_PER_WORKER = 6
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')

/** What an object holds: its ETag and size, or null when deleted (undefined: never written). */
type State = { etag: string; size: number } | null | undefined

interface Tracked {
  acked: State
  /** The operation in flight at the kill, if any: its state, had it completed. */
  inflight?: State
}

interface Running {
  child: ChildProcess
  url: string
  exited: Promise<void>
}

function startChild(dataDir: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    // Kept as our child and waited for: pid 1 here does not reap orphans.
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /ready (\S+)\n/.exec(out)
      if (m) resolve({ child, url: m[1], exited })
    })
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
    void exited.then(() => reject(new Error(`appliance exited before it was ready: ${err}`)))
  })
}

async function kill(r: Running): Promise<void> {
  r.child.kill('SIGKILL')
  await r.exited
}

async function auth(url: string): Promise<{ token: string; base: string }> {
  const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } })
  expect(r.status).to.equal(200)
  return { token: r.headers.get('x-auth-token') as string, base: r.headers.get('x-storage-url') as string }
}

describe('crash consistency of objects and listings (SIGKILL under load, restart)', function () {
  // About 40 s on an idle 2-core machine; the limit leaves room for a loaded one.
  this.timeout(180_000)
  let dataDir: string
  let running: Running | undefined

  after(async () => {
    if (running) await kill(running)
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it(`keeps every acknowledged write and an exact listing over ${ROUNDS} kill -9 rounds`, async () => {
    const seed = Date.now() % 1_000_000
    const random = seededRandom(seed)
    console.log(`      (seed ${seed})`)
    dataDir = await mkdtemp(join(tmpdir(), 'velox-crash-listings-'))
    const objects = new Map<string, Tracked>()
    for (let w = 0; w < WORKERS; w++) for (let j = 0; j < NAMES_PER_WORKER; j++) objects.set(`w${w}/o${j}`, { acked: undefined })
    const totals = { acked: 0, inflight: 0, inflightLanded: 0 }

    for (let round = 0; round <= ROUNDS; round++) {
      running = await startChild(dataDir)
      const { token, base } = await auth(running.url)
      const call = (method: string, path: string, body?: Buffer) => fetch(path ? `${base}/${path}` : base, { method, headers: { 'X-Auth-Token': token }, body })
      if (round === 0) expect((await call('PUT', 'c')).status).to.equal(201)
      else {
        const landed = await checkAfterRestart(call, objects)
        totals.inflightLanded += landed
      }
      if (round === ROUNDS) break

      // Load, then SIGKILL at a random moment while it runs.
      let stopping = false
      let acked = 0
      const worker = async (w: number) => {
        while (!stopping) {
          const name = `w${w}/o${Math.floor(random() * NAMES_PER_WORKER)}`
          const t = objects.get(name) as Tracked
          const del = random() < 0.35
          const body = randomBytes(random() < 0.1 ? Math.floor(random() * 512 * 1024) : Math.floor(random() * 64 * 1024))
          t.inflight = del ? null : { etag: md5(body), size: body.length }
          try {
            const r = await call(del ? 'DELETE' : 'PUT', `c/${name}`, del ? undefined : body)
            await r.arrayBuffer()
            if (r.status === 201 || r.status === 204 || r.status === 404) {
              t.acked = t.inflight
              delete t.inflight
              acked++
            }
          } catch {
            return // the appliance is gone: this operation's outcome is unknown
          }
        }
      }
      const load = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)))
      // Once writes are flowing (a loaded machine starts slowly), at a random moment.
      const since = Date.now()
      while (acked < 10 && Date.now() - since < 5000) await new Promise((r) => setTimeout(r, 20))
      await new Promise((r) => setTimeout(r, random() * 1500))
      stopping = true
      await kill(running)
      running = undefined
      await load
      const inflight = [...objects.values()].filter((t) => 'inflight' in t).length
      totals.acked += acked
      totals.inflight += inflight
      console.log(`      round ${round + 1}: ${acked} writes acknowledged, ${inflight} in flight at the kill`)
    }
    console.log(`      ${ROUNDS} rounds: ${totals.acked} acknowledged writes all kept; ${totals.inflight} in flight at kills (${totals.inflightLanded} landed); listings exact after every restart`)
  })
})

type Call = (method: string, path: string, body?: Buffer) => Promise<Response>

/** Checks objects and listing against the model; returns how many in-flight writes landed. */
async function checkAfterRestart(call: Call, objects: Map<string, Tracked>): Promise<number> {
  let landed = 0
  const live = new Map<string, { etag: string; size: number }>()
  for (const [name, t] of objects) {
    const r = await call('GET', `c/${name}`)
    const body = Buffer.from(await r.arrayBuffer())
    const seen: State = r.status === 200 ? { etag: md5(body), size: body.length } : r.status === 404 ? null : undefined
    expect(seen, `${name}: status ${r.status}`).to.not.equal(undefined)
    const same = (s: State) => (s === null || s === undefined ? seen === null : !!seen && seen.etag === s.etag && seen.size === s.size)
    const ok = same(t.acked) || ('inflight' in t && same(t.inflight))
    expect(ok, `${name}: read ${JSON.stringify(seen)}, acknowledged ${JSON.stringify(t.acked)}, in flight ${JSON.stringify(t.inflight)}`).to.equal(true)
    if (!same(t.acked)) landed++
    t.acked = seen
    delete t.inflight
    if (seen) live.set(name, seen)
  }
  const list = await call('GET', 'c?format=json&limit=10000')
  const rows = (await list.json()) as Array<{ name: string; hash: string; bytes: number }>
  const phantoms = rows.filter((row) => !live.has(row.name)).map((row) => row.name)
  const missing = [...live.keys()].filter((name) => !rows.some((row) => row.name === name))
  const wrong = rows.filter((row) => live.has(row.name) && (live.get(row.name)?.etag !== row.hash || live.get(row.name)?.size !== row.bytes)).map((row) => row.name)
  expect({ phantoms, missing, wrong }).to.deep.equal({ phantoms: [], missing: [], wrong: [] })
  const bytes = rows.reduce((n, row) => n + row.bytes, 0)
  const container = await call('HEAD', 'c')
  expect([container.headers.get('x-container-object-count'), container.headers.get('x-container-bytes-used')]).to.deep.equal([String(rows.length), String(bytes)])
  const account = await call('HEAD', '')
  expect([account.headers.get('x-account-object-count'), account.headers.get('x-account-bytes-used')]).to.deep.equal([String(rows.length), String(bytes)])
  return landed
}
