/**
 * Crash safety: a child process PUTs objects in a loop and is killed with SIGKILL at random
 * moments, many times, on one device directory (xattr metadata) and another (sidecars).
 * Afterwards every acknowledged PUT reads back (or a newer version of the same object does),
 * every visible version is byte-exact, nothing partial is visible, and the object tree holds no
 * temp files; leftovers in tmp/ are removed by the startup cleaner.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CRASH_OBJECT_NAMES, md5Hex, objectLoc, readAll, scratchDir, seededRandom, versionBody } from '../../../test/harness/objects/object-fixtures.js'
import { openDeviceObjects } from './device-object-store.js'
import { SIDECAR_SUFFIX, chooseOndiskFiles, parseFileName } from './layout.js'

const WRITER = join(dirname(fileURLToPath(import.meta.url)), '../../../test/harness/objects/crash-writer.js')
const ROUNDS = 30

/** Runs the writer until a random moment after it is ready, SIGKILLs it and waits for its exit. */
function writeUntilKilled(root: string, xattrs: boolean, round: number, seed: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, root, xattrs ? '1' : '0', String(round), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    // Kept as our child and waited for: pid 1 here does not reap orphans.
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited ${code} ${signal}: ${err}`))
      resolve(out.split('\n').slice(0, -1).filter((l) => l !== 'ready'))
    })
  })
}

async function listTree(objects: string): Promise<Array<{ dir: string; files: string[] }>> {
  const out = []
  for (const part of await readdir(objects)) {
    for (const suffix of await readdir(join(objects, part))) {
      for (const hash of await readdir(join(objects, part, suffix))) {
        out.push({ dir: join(objects, part, suffix, hash), files: await readdir(join(objects, part, suffix, hash)) })
      }
    }
  }
  return out
}

describe('DeviceObjectStore crash safety (SIGKILL during PUTs)', function () {
  this.timeout(120_000)

  for (const xattrs of [true, false]) {
    it(`keeps every acknowledged PUT and shows nothing partial (${xattrs ? 'xattr' : 'sidecar'} metadata)`, async () => {
      const scratch = await scratchDir('velox-crash-')
      const seed = Date.now() % 1_000_000
      const random = seededRandom(seed)
      let leftovers = 0
      const acked = new Map<string, { timestamp: string; md5: string }>()
      try {
        for (let round = 1; round <= ROUNDS / 2; round++) {
          const lines = await writeUntilKilled(scratch.dir, xattrs, round, seed + round, 20 + Math.floor(random() * 400))
          for (const line of lines) {
            const [name, timestamp, md5] = line.split(' ') as [string, string, string]
            const prev = acked.get(name)
            if (!prev || timestamp > prev.timestamp) acked.set(name, { timestamp, md5 })
          }
        }
        const why = `seed ${seed}`
        expect(acked.size, why).to.be.greaterThan(10)
        const store = await openDeviceObjects(scratch.dir, { xattrs })
        const nameByHash = new Map(CRASH_OBJECT_NAMES.map((n) => [objectLoc(n).hash, n]))
        leftovers = (await readdir(store.tmpDir)).length
        for (const [name, { timestamp, md5 }] of acked) {
          const obj = await store.open(objectLoc(name))
          const body = await readAll(obj.stream())
          await obj.close()
          expect(obj.meta.timestamp >= timestamp, `${why}: ${name} went back from ${timestamp} to ${obj.meta.timestamp}`).to.equal(true)
          if (obj.meta.timestamp === timestamp) expect(md5Hex(body), `${why}: ${name}`).to.equal(md5)
          expect(body.equals(versionBody(name, obj.meta.timestamp)), `${why}: ${name}@${obj.meta.timestamp} is not the body written`).to.equal(true)
        }
        for (const { dir, files } of await listTree(join(scratch.dir, 'objects'))) {
          for (const file of files) {
            const known = parseFileName(file.endsWith(SIDECAR_SUFFIX) ? file.slice(0, -SIDECAR_SUFFIX.length) : file)
            expect(known?.kind, `${why}: unexpected ${join(dir, file)}`).to.equal('data')
          }
          // Whatever is visible is whole: open and read it (verifies size and MD5).
          const name = nameByHash.get(basename(dir))
          expect(name, `${why}: stray hash directory ${dir}`).to.be.a('string')
          // A kill between creating a new hash directory and renaming into it leaves it empty
          // (or holding only a sidecar): nothing visible, as Swift leaves it for its cleanup.
          if (name === undefined || !chooseOndiskFiles(files).data) continue
          const obj = await store.open(objectLoc(name))
          const body = await readAll(obj.stream())
          await obj.close()
          expect(body.equals(versionBody(name, obj.meta.timestamp)), `${why}: ${name}`).to.equal(true)
        }
        expect(await readdir(join(scratch.dir, 'quarantined')).catch(() => []), why).to.deep.equal([])
        await store.cleanStaleTempFiles()
        expect(await readdir(store.tmpDir)).to.deep.equal([])
        console.log(`      ${acked.size} objects acknowledged, ${leftovers} temp files left by kills (seed ${seed})`)
      } finally {
        await scratch.remove()
      }
    })
  }
})
