/**
 * Real Swift clients against a real appliance: python-swiftclient's `swift` CLI and rclone's
 * swift backend (Debian packages, installed by `make test`).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const run = promisify(execFile)

/** A tree of files with non-ASCII names, nested folders and a few sizes (one over 1 MiB). */
function makeTree(root: string): Map<string, string> {
  const files = new Map<string, string>()
  const put = (rel: string, data: Buffer) => {
    const p = join(root, rel)
    mkdirSync(join(p, '..'), { recursive: true })
    writeFileSync(p, data)
    files.set(rel, createHash('md5').update(data).digest('hex'))
  }
  put('readme.txt', Buffer.from('hello velox\n'))
  put('photos/été/plage 1.jpg', randomBytes(200_000))
  put('photos/été/Straße.png', randomBytes(3000))
  put('docs/日本語/メモ.md', Buffer.from('# メモ\n'))
  put('docs/emoji/😀 smile.txt', Buffer.from('😀'))
  put('big/blob.bin', randomBytes(1_500_000))
  put('empty.dat', Buffer.alloc(0))
  return files
}

function md5Tree(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(root, p), createHash('md5').update(readFileSync(p)).digest('hex'))
    }
  }
  walk(root)
  return out
}

describe('real Swift clients', function () {
  this.timeout(180_000)
  let velox: TestAppliance
  let work: string
  let tree: Map<string, string>

  before(async function () {
    velox = await startTestAppliance()
    work = mkdtempSync(join(tmpdir(), 'velox-clients-'))
    tree = makeTree(join(work, 'src'))
  })

  after(async () => {
    await velox?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  describe('python-swiftclient (swift CLI)', () => {
    before(function () {
      if (!existsSync('/usr/bin/swift')) {
        console.log('    (skipped: Debian python3-swiftclient is not installed; make test installs it)')
        this.skip()
      }
    })
    const swift = (...args: string[]) =>
      run('/usr/bin/swift', ['-A', `${velox.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', ...args], { cwd: work, maxBuffer: 1 << 24 })

    it('stat shows the account', async () => {
      const { stdout } = await swift('stat')
      expect(stdout).to.match(/Account: AUTH_test/)
    })

    it('post sets container metadata that stat shows', async () => {
      await swift('post', '-m', 'Color:blue', 'tree')
      const { stdout } = await swift('stat', 'tree')
      expect(stdout).to.match(/Meta Color: blue/)
    })

    it('uploads a directory tree with non-ASCII names and lists it with prefix and delimiter', async () => {
      await swift('upload', 'tree', 'src', '--object-name', '')
      const { stdout: all } = await swift('list', 'tree')
      expect(all.trim().split('\n').sort()).to.deep.equal([...tree.keys()].sort())
      const { stdout: top } = await swift('list', 'tree', '--delimiter', '/')
      expect(top.trim().split('\n')).to.deep.equal(['big/', 'docs/', 'empty.dat', 'photos/', 'readme.txt'])
      const { stdout: ete } = await swift('list', 'tree', '--prefix', 'photos/été/')
      expect(ete.trim().split('\n')).to.deep.equal(['photos/été/Straße.png', 'photos/été/plage 1.jpg'])
    })

    it('downloads every object byte-identical', async () => {
      await swift('download', 'tree', '-D', 'down')
      expect(md5Tree(join(work, 'down'))).to.deep.equal(tree)
    })

    it('deletes the objects and the container', async () => {
      await swift('delete', 'tree')
      const { stdout } = await swift('list')
      expect(stdout.trim()).to.equal('')
    })
  })

  describe('rclone (swift backend)', () => {
    before(function () {
      if (!existsSync('/usr/bin/rclone')) {
        console.log('    (skipped: Debian rclone is not installed; make test installs it)')
        this.skip()
      }
    })
    const remote = () => `:swift,auth='${velox.url}/auth/v1.0',user='test:tester',key=testing:`
    const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', '/dev/null', ...args], { cwd: work, maxBuffer: 1 << 24 })

    it('syncs a tree up, checks it, and syncs it back down identical', async () => {
      await rclone('sync', join(work, 'src'), `${remote()}rc`)
      const { stderr } = await rclone('check', join(work, 'src'), `${remote()}rc`)
      expect(stderr).to.match(/0 differences found/)
      await rclone('sync', `${remote()}rc`, join(work, 'rc-down'))
      expect(md5Tree(join(work, 'rc-down'))).to.deep.equal(tree)
    })

    it('lsjson lists sizes and names; cat reads an object', async () => {
      const { stdout } = await rclone('lsjson', '-R', '--files-only', `${remote()}rc`)
      const items = JSON.parse(stdout) as Array<{ Path: string; Size: number }>
      expect(items.map((i) => i.Path).sort()).to.deep.equal([...tree.keys()].sort())
      expect(items.find((i) => i.Path === 'big/blob.bin')?.Size).to.equal(1_500_000)
      const cat = await rclone('cat', `${remote()}rc/docs/日本語/メモ.md`)
      expect(cat.stdout).to.equal('# メモ\n')
    })

    it('sync after a local change uploads only the difference', async () => {
      writeFileSync(join(work, 'src', 'readme.txt'), 'changed\n')
      await rclone('sync', join(work, 'src'), `${remote()}rc`)
      const cat = await rclone('cat', `${remote()}rc/readme.txt`)
      expect(cat.stdout).to.equal('changed\n')
    })
  })
})
