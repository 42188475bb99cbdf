/**
 * Child process of the listing crash test: a real appliance on DATA_DIR (three devices,
 * three replicas, the test user), on a free loopback port; prints `ready <url>` once it
 * serves. The parent kills it with SIGKILL and starts it again on the same directory.
 * Usage: node crash-appliance.js DATA_DIR. Owns nothing but the appliance it starts.
 */
import { startTestAppliance } from './test-appliance.js'

async function main(): Promise<void> {
  const dataDir = process.argv[2]
  if (!dataDir) throw new Error('usage: crash-appliance DATA_DIR')
  const velox = await startTestAppliance({ dataDir, flags: { thumbnails: { enabled: false } } })
  process.stdout.write(`ready ${velox.url}\n`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
