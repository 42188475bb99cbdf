/**
 * Stills of videos and PDFs through Debian's tools: the first frame of a video with `ffmpeg`,
 * the first page of a PDF with `pdftoppm`, each as a PNG no larger than the large rendition.
 * The object is spooled to a temp file first (MP4s often keep their index at the end, so
 * the tools need to seek); each tool runs with a timeout and a cap on what it prints, and
 * is killed past either. No libvips here: the PNG goes on to render.ts.
 */
import { spawn } from 'node:child_process'
import { beforeSpawn } from '../lib/close-on-exec.js'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { RenderFailure, asRenderFailure, type SourceKind, type Tools } from './sources.js'

export interface ExtractOptions {
  tools: Tools
  /** Directory for spooled objects (one temp dir per job, removed after). */
  tmpDir: string
  timeoutMs: number
  /** Longest edge of the still, px. */
  edge: number
}

const MAX_STILL_BYTES = 64 * 1024 * 1024

/** Runs a tool; resolves with its stdout, rejects with its stderr's last line on failure or timeout. */
export function runTool(file: string, args: string[], timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    beforeSpawn()
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let outBytes = 0
    let err = ''
    let failed: string | undefined
    const timer = setTimeout(() => {
      failed = `${file} timed out after ${timeoutMs} ms`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length
      if (outBytes > MAX_STILL_BYTES) {
        failed = `${file} printed more than ${MAX_STILL_BYTES} bytes`
        child.kill('SIGKILL')
      } else out.push(c)
    })
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)))
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (failed) return reject(new Error(failed))
      if (code !== 0) return reject(new Error(`${file} exited with ${code ?? signal}: ${err.trim().split('\n').pop() ?? ''}`))
      resolve(Buffer.concat(out))
    })
  })
}

function argsFor(kind: Exclude<SourceKind, 'image'>, input: string, edge: number): string[] {
  if (kind === 'video') {
    const scale = `scale=w=${edge}:h=${edge}:force_original_aspect_ratio=decrease`
    return ['-v', 'error', '-nostdin', '-i', input, '-an', '-sn', '-dn', '-frames:v', '1', '-vf', scale, '-f', 'image2pipe', '-c:v', 'png', 'pipe:1']
  }
  // Without an output root, pdftoppm writes the page to stdout.
  return ['-f', '1', '-l', '1', '-png', '-scale-to', String(edge), '-singlefile', input]
}

/** The first frame or page of `body` as a PNG. */
export async function extractStill(kind: Exclude<SourceKind, 'image'>, body: Readable, o: ExtractOptions): Promise<Buffer> {
  const tool = kind === 'video' ? o.tools.ffmpeg : o.tools.pdftoppm
  if (!tool) throw new RenderFailure(`no ${kind === 'video' ? 'ffmpeg' : 'pdftoppm'} on this appliance`)
  await mkdir(o.tmpDir, { recursive: true })
  const dir = await mkdtemp(join(o.tmpDir, 'job-'))
  try {
    const input = join(dir, 'source')
    await pipeline(body, createWriteStream(input))
    const png = await asRenderFailure(() => runTool(tool, argsFor(kind, input, o.edge), o.timeoutMs))
    if (png.length === 0) throw new RenderFailure(`${kind} has no ${kind === 'video' ? 'frame' : 'page'} to show`)
    return png
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
