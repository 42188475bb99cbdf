import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { pythonGuessType } from './mimetypes.js'
import { PYTHON_TYPES } from './python-mimetypes.js'

const PYTHON = '/usr/bin/python3'
const TRICKY = ['a.wav', 'x.tar.gz', 'y.tgz', 'z.svgz', 'A.PNG', '.hidden', 'b/..c', 'c.Z', 'd.GZ', 'e.txt.gz', 'f.bz2', 'noext', 'dir.d/file', 'r.TGZ', 'q.tbz2', 'p.tar.br', 'dir/.x.json']

describe('swift/mimetypes (Python mimetypes.guess_type, as Swift guesses)', () => {
  it('guesses as Debian Python does: audio/x-wav, application/x-tar for .tar.gz, nothing for dot-files', () => {
    expect(pythonGuessType('sound.wav')).to.equal('audio/x-wav')
    expect(pythonGuessType('a.tar.gz')).to.equal('application/x-tar')
    expect(pythonGuessType('b.tgz')).to.equal('application/x-tar')
    expect(pythonGuessType('.hidden')).to.equal(undefined)
    expect(pythonGuessType('photo.JPG')).to.equal('image/jpeg')
  })

  it('agrees with Debian Python on every extension of the table and on tricky names', function () {
    if (!existsSync(PYTHON)) {
      console.log(`    (skipped: ${PYTHON} is not installed)`)
      this.skip()
    }
    const exts = PYTHON_TYPES.split('\n').flatMap((l) => l.split(' ').slice(1)).filter((e) => e !== '')
    const names = [...exts.map((e) => `o.${e}`), ...exts.map((e) => `O.${e.toUpperCase()}`), ...TRICKY]
    const script = 'import json,sys,mimetypes; print(json.dumps([mimetypes.guess_type("/v1/AUTH_t/c/"+n)[0] for n in json.load(sys.stdin)]))'
    const python = JSON.parse(execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(names) }).toString()) as Array<string | null>
    const differ = names.filter((n, i) => (pythonGuessType(n) ?? null) !== python[i])
    expect(differ).to.deep.equal([])
  })
})
