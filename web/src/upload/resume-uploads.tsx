/**
 * After a reload, the large uploads an earlier page left unfinished (leave-guard.ts): each
 * with "Choose the file to resume" (the same name, size and date go on from the segments
 * already stored; another file is refused, so that stale segments never mix in) and "Forget".
 */
import { useRef, useState, useSyncExternalStore } from 'react'
import { formatBytes } from '../ui/format'
import { forgetInterrupted, interruptedUploads, stemOf, subscribeInterrupted, type Interrupted } from './leave-guard'
import type { Uploader } from './uploader'

export function ResumeUploads(props: { uploader: Uploader }) {
  const list = useSyncExternalStore(subscribeInterrupted, interruptedUploads)
  if (list.length === 0) return null
  return (
    <section className="notice resume-uploads" aria-label="Interrupted uploads">
      <p><strong>{list.length === 1 ? 'A large upload was' : `${list.length} large uploads were`} interrupted when the page was left.</strong> Choose the same file again to go on from the parts already stored.</p>
      <ul>
        {list.map((u) => <ResumeRow key={`${u.container}/${u.object}`} u={u} uploader={props.uploader} />)}
      </ul>
    </section>
  )
}

function ResumeRow(props: { u: Interrupted; uploader: Uploader }) {
  const { u, uploader } = props
  const input = useRef<HTMLInputElement>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const picked = (file: File | undefined) => {
    if (!file) return
    if (file.size !== u.size || file.lastModified !== u.lastModified) {
      setProblem(`That is not the same file (${formatBytes(file.size)}, changed ${new Date(file.lastModified).toLocaleString()}).`)
      return
    }
    uploader.add([{ file, container: u.container, object: u.object, stem: stemOf(u) }])
    forgetInterrupted(u, uploader)
  }
  return (
    <li data-resume={u.object}>
      <span>{u.container}/{u.object} · {formatBytes(u.size)}</span>{' '}
      <button className="btn btn-ghost small" onClick={() => input.current?.click()}>Choose the file to resume</button>
      <button className="btn btn-ghost small" onClick={() => forgetInterrupted(u, uploader)}>Forget</button>
      <input ref={input} type="file" hidden data-testid="resume-input" aria-label={`File to resume ${u.name}`} onChange={(e) => picked(e.target.files?.[0])} />
      {problem && <span className="error small" role="alert"> {problem}</span>}
    </li>
  )
}
