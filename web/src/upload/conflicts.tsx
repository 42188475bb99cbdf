/**
 * Uploading over a name that exists asks first (issue 16, bug 3), as the drop links do:
 * replace, keep both (the upload is saved as "name (1).ext", the first free number), or
 * skip, one file at a time with "apply to all" for the rest of the batch.
 *
 * Which names exist: a file straight into the folder on screen is looked up in the listing
 * already loaded when it is complete (with this page's own uploads, which it may not show yet); a file inside an uploaded folder is new when that
 * folder is not in the complete listing. Anything else (a long folder not fully loaded, a
 * folder that exists) is asked of the server with a prefix listing of one row, four at a
 * time (a listing answers 200 either way: no red 404s in the console).
 */
import { useRef, useState, type ReactNode } from 'react'
import { request } from '../api/http'
import type { Entry, SwiftClient } from '../api/swift'
import { Dialog } from '../ui/dialog'

export type Choice = 'replace' | 'keep' | 'skip'
export interface Planned { file: File; container: string; object: string }

const CHECKS_IN_FLIGHT = 4

/** "a/photo.jpg" → "a/photo (1).jpg", the first number `taken` says is free. */
export async function keepBothName(object: string, taken: (o: string) => Promise<boolean>): Promise<string> {
  const slash = object.lastIndexOf('/')
  const base = object.slice(slash + 1)
  const dot = base.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  for (let n = 1; ; n++) {
    const candidate = `${object.slice(0, slash + 1)}${stem} (${n})${ext}`
    if (!(await taken(candidate))) return candidate
  }
}

async function exists(swift: SwiftClient, container: string, object: string): Promise<boolean> {
  const q = new URLSearchParams({ format: 'json', prefix: object, limit: '1' })
  const r = await request(`${swift.containerUrl(container)}?${q}`, { headers: { Accept: 'application/json' }, accept: [204, 404], cache: 'no-store' })
  if (r.status !== 200) return false
  const rows = (await r.json()) as Array<{ name?: string }>
  return rows.some((row) => row.name === object)
}

/** The conflict question, and the batch filtered by the answers. */
export function useUploadConflicts(swift: SwiftClient): { resolve: (batch: Planned[], prefix: string, loaded: Entry[], complete: boolean, uploaded?: string[]) => Promise<Planned[]>; dialog: ReactNode } {
  const [asking, setAsking] = useState<{ name: string; left: number; answer: (c: Choice, all: boolean) => void } | null>(null)
  const [all, setAll] = useState(false)
  const answered = useRef<Choice | null>(null)

  const ask = (name: string, left: number) =>
    new Promise<{ choice: Choice; all: boolean }>((resolve) => {
      setAll(false)
      setAsking({ name, left, answer: (choice, forAll) => { setAsking(null); resolve({ choice, all: forAll }) } })
    })

  const resolve = async (batch: Planned[], prefix: string, loaded: Entry[], complete: boolean, uploaded: string[] = []): Promise<Planned[]> => {
    const names = new Set(loaded.map((e) => (e.type === 'object' ? e.object : e.type === 'folder' ? e.prefix : '')))
    // Uploads of this page the listing may not show yet (it refreshes at most twice a second), and their folders.
    for (const o of uploaded) {
      names.add(o)
      for (let i = o.indexOf('/'); i >= 0; i = o.indexOf('/', i + 1)) names.add(o.slice(0, i + 1))
    }
    const mayExist = (p: Planned) => {
      const rest = p.object.slice(prefix.length)
      const slash = rest.indexOf('/')
      if (!complete) return true
      return slash < 0 ? names.has(p.object) : names.has(prefix + rest.slice(0, slash + 1))
    }
    const found: boolean[] = new Array(batch.length).fill(false)
    let next = 0
    await Promise.all(Array.from({ length: CHECKS_IN_FLIGHT }, async () => {
      while (next < batch.length) {
        const i = next++
        const p = batch[i]
        const direct = !p.object.slice(prefix.length).includes('/')
        found[i] = !mayExist(p) ? false : complete && direct ? true : await exists(swift, p.container, p.object)
      }
    }))
    const total = found.filter(Boolean).length
    if (total === 0) return batch
    answered.current = null
    const out: Planned[] = []
    const planned = new Set(batch.map((p) => p.object))
    let seen = 0
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]
      if (!found[i]) {
        out.push(p)
        continue
      }
      seen++
      let choice = answered.current
      if (!choice) {
        const a = await ask(p.object.slice(prefix.length), total - seen)
        choice = a.choice
        if (a.all) answered.current = a.choice
      }
      if (choice === 'replace') out.push(p)
      else if (choice === 'keep') {
        const object = await keepBothName(p.object, async (o) => planned.has(o) || (await exists(swift, p.container, o)))
        planned.add(object)
        out.push({ ...p, object })
      }
    }
    return out
  }

  const dialog = asking && (
    <Dialog title={`“${asking.name}” already exists`} onClose={() => asking.answer('skip', false)}>
      <p>There is already a file named “{asking.name}” here. Replace it, keep both (the upload gets a number), or skip this file?</p>
      {asking.left > 0 && (
        <label className="conflict-all">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Apply to the rest ({asking.left} more)
        </label>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => asking.answer('skip', all)}>Skip</button>
        <button type="button" className="btn" onClick={() => asking.answer('keep', all)}>Keep both</button>
        <button type="button" className="btn btn-primary" onClick={() => asking.answer('replace', all)} autoFocus>Replace</button>
      </div>
    </Dialog>
  )
  return { resolve, dialog }
}
