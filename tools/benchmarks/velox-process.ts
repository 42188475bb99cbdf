/**
 * A Velox test appliance in a child process for benchmarks, so that the benchmark's client
 * does not share the server's event loop. The child runs with the thread pool and the node
 * flags tools/velox gives a real appliance (UV_THREADPOOL_SIZE, 16 unless set; VELOX_NODE_FLAGS,
 * which tools/velox sets).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ConfigOverrides } from '../../appliance/src/config/index.js'

export function veloxThreadpool(): string {
  return process.env.UV_THREADPOOL_SIZE ?? '16'
}

/** The node flags of the appliance (set by tools/velox, which runs the benchmarks). */
export function veloxNodeFlags(): string[] {
  return (process.env.VELOX_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '')
}

export async function startVeloxProcess(flags: ConfigOverrides = {}): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const harness = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'appliance', 'test', 'harness', 'test-appliance.js')
  const code = `import { startTestAppliance } from ${JSON.stringify(harness)}
const a = await startTestAppliance({ flags: ${JSON.stringify(flags)} })
console.log('URL ' + a.url)
process.stdin.on('data', async () => { await a.stop(); process.exit(0) })`
  const env = { ...process.env, UV_THREADPOOL_SIZE: veloxThreadpool() }
  const child: ChildProcess = spawn(process.execPath, [...veloxNodeFlags(), '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'], env })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /URL (\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`velox exited with ${code}`)))
  })
  return {
    url,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.stdin!.write('stop\n')
      }),
  }
}
