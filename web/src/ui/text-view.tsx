/**
 * A text file in the previewer once read: Markdown as a document (with its source a click
 * away), other text as text; and, where the page can save (the file browser, not public
 * pages) and the whole file was read and is small, a plain editor whose Save stores the text
 * as a new version of the object (one PUT: with object versioning on, Swift keeps the old one).
 */
import { useState } from 'react'
import { formatBytes } from './format'
import { isMarkdown, MarkdownView } from './markdown'

/** Files up to this size can be edited in the browser. */
export const EDIT_BYTES = 1024 * 1024

export function TextView(props: { name: string; text: string; truncated: boolean; cap: number; save?: (text: string) => Promise<void> }) {
  const md = isMarkdown(props.name)
  const [source, setSource] = useState(!md)
  const [editing, setEditing] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<string | null>(null)
  const [text, setText] = useState(props.text)
  const editable = !!props.save && !props.truncated && new Blob([text]).size <= EDIT_BYTES

  const save = async () => {
    if (editing === null || !props.save) return
    setBusy(true)
    setStatus(null)
    try {
      await props.save(editing)
      setText(editing)
      setEditing(null)
      setStatus('Saved as a new version.')
    } catch (err) {
      setStatus(`Not saved: ${(err as Error).message}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="preview-textbox">
      <div className="preview-text-tools">
        {md && editing === null && <button className="btn btn-ghost small" onClick={() => setSource(!source)} aria-pressed={source}>{source ? 'Show as document' : 'Show source'}</button>}
        {editable && editing === null && <button className="btn btn-ghost small" onClick={() => setEditing(text)}>Edit</button>}
        {editing !== null && (
          <>
            <button className="btn btn-primary small" onClick={save} disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
            <button className="btn btn-ghost small" onClick={() => setEditing(null)} disabled={busy}>Cancel</button>
          </>
        )}
        {status && <span className="small" role="status">{status}</span>}
      </div>
      {editing !== null ? (
        <textarea className="preview-editor" value={editing} onChange={(e) => setEditing(e.target.value)} aria-label={`Text of ${props.name}`} spellCheck={false} autoFocus />
      ) : md && !source ? (
        <MarkdownView source={text} name={props.name} />
      ) : (
        <div className="preview-text" data-preview="text" tabIndex={0} aria-label={`Text of ${props.name}`}>
          <pre><code>{text}</code></pre>
          {props.truncated && <p className="muted small">Showing the first {formatBytes(props.cap)}; download for the rest.</p>}
        </div>
      )}
    </div>
  )
}
