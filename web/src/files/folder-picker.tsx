/**
 * A folder picker for Move and Copy: the containers as a tree whose folders open on demand
 * (one listing per opened folder, by delimiter), and the chosen destination in a text field
 * that can also be typed into ("container/folder/"). A destination whose container does not
 * exist is refused in words before anything is moved (files/messages.ts).
 */
import { useEffect, useState } from 'react'
import type { SwiftClient } from '../api/swift'
import { Dialog, useDialogSubmit } from '../ui/dialog'
import { DriveIcon, FolderIcon } from '../ui/icons'

/** Folders listed per opened node; a folder with more shows the first ones (the field takes any path). */
const NODE_LIMIT = 1000

function Node(props: { swift: SwiftClient; container: string; prefix: string; label: string; chosen: string; onChoose: (path: string) => void; top?: boolean }) {
  const path = `${props.container}/${props.prefix}`
  const [open, setOpen] = useState(false)
  const [children, setChildren] = useState<Array<{ prefix: string; name: string }> | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    if (!open || children) return
    props.swift.listFolder(props.container, props.prefix, null, NODE_LIMIT).then(
      (p) => setChildren(p.entries.flatMap((e) => (e.type === 'folder' ? [{ prefix: e.prefix, name: e.name }] : []))),
      (err: Error) => setError(err.message),
    )
  }, [open, children, props.swift, props.container, props.prefix])
  return (
    <li>
      <div className={`picker-row ${props.chosen === path ? 'chosen' : ''}`}>
        <button type="button" className="picker-toggle" aria-expanded={open} aria-label={`${open ? 'Close' : 'Open'} ${props.label}`} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
        <button type="button" className="picker-name" aria-pressed={props.chosen === path} onClick={() => props.onChoose(path)} data-picker-path={path}>
          {props.top ? <DriveIcon size={16} /> : <FolderIcon size={16} />} {props.label}
        </button>
      </div>
      {open && (
        <ul className="picker-list">
          {error && <li className="error small">{error}</li>}
          {!children && !error && <li className="muted small">Loading…</li>}
          {children?.length === 0 && <li className="muted small">no folders inside</li>}
          {children?.map((c) => <Node key={c.prefix} swift={props.swift} container={props.container} prefix={c.prefix} label={c.name} chosen={props.chosen} onChoose={props.onChoose} />)}
        </ul>
      )}
    </li>
  )
}

export function FolderPickerDialog(props: { swift: SwiftClient; title: string; confirm: string; initial: string; validate?: (target: string) => string | null; onPick: (target: string) => Promise<void>; onClose: () => void }) {
  const [containers, setContainers] = useState<string[] | null>(null)
  const [target, setTarget] = useState(props.initial)
  const [listError, setListError] = useState<string | null>(null)
  useEffect(() => {
    props.swift.listContainers(null, NODE_LIMIT).then(
      (p) => setContainers(p.entries.flatMap((e) => (e.type === 'container' && !e.name.endsWith('_segments') ? [e.name] : []))),
      (err: Error) => setListError(err.message),
    )
  }, [props.swift])
  const normal = target.trim().replace(/^\/+/, '').replace(/\/?$/, '/')
  const { busy, error: submitError, submit } = useDialogSubmit(normal, props.onPick, props.onClose, props.validate)
  const error = submitError ?? listError

  return (
    <Dialog title={props.title} onClose={props.onClose} className="picker-dialog">
      <form onSubmit={submit}>
        <div className="picker" aria-label="Folders">
          {!containers && !error && <p className="muted small">Loading…</p>}
          <ul className="picker-list picker-top">
            {containers?.map((c) => <Node key={c} swift={props.swift} container={c} prefix="" label={c} chosen={target} onChoose={setTarget} top />)}
          </ul>
        </div>
        <label>
          Destination (container/folder/)
          <input value={target} onChange={(e) => setTarget(e.target.value)} required />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Working…' : props.confirm}</button>
        </div>
      </form>
    </Dialog>
  )
}
