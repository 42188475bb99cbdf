/**
 * Child process of the object crash-safety test: PUTs objects into a device directory, a few in
 * flight, forever, and prints `name timestamp md5` on stdout after each PUT resolves (stdout to
 * a pipe is synchronous on Linux, so a printed line means the PUT had completed). The parent
 * kills it with SIGKILL at random moments and checks the device afterwards.
 * Usage: node crash-writer.js ROOT XATTRS(0|1) ROUND SEED. Owns nothing but its loop.
 */
import { isVeloxError } from '../../../src/errors.js'
import { openDeviceObjects } from '../../../src/store/objects/device-object-store.js'
import { CRASH_OBJECT_NAMES, chunked, md5Hex, objectLoc, seededRandom, ts, versionBody } from './object-fixtures.js'

const IN_FLIGHT = 4

async function main(): Promise<void> {
  const [root, xattrs, roundText, seedText] = process.argv.slice(2)
  if (!root || !roundText || !seedText) throw new Error('usage: crash-writer ROOT XATTRS ROUND SEED')
  const store = await openDeviceObjects(root, { xattrs: xattrs === '1' })
  const random = seededRandom(Number(seedText))
  const round = Number(roundText)
  let next = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      const name = CRASH_OBJECT_NAMES[Math.floor(random() * CRASH_OBJECT_NAMES.length)]!
      const timestamp = ts(round * 100_000 + i)
      const body = versionBody(name, timestamp)
      try {
        await store.put(objectLoc(name), { timestamp, contentType: 'application/x-crash', headers: { 'x-object-meta-round': String(round) } }, chunked(body, 16 * 1024))
        process.stdout.write(`${name} ${timestamp} ${md5Hex(body)}\n`)
      } catch (err) {
        // Two workers may race on one name; the older timestamp loses, as it should.
        if (!isVeloxError(err, 'conflict')) throw err
      }
    }
  }
  process.stdout.write('ready\n')
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
