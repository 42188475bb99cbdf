/**
 * A modal on the native <dialog> element: the browser traps focus and closes it on Escape;
 * forms inside submit on Enter.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'

export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; className?: string }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    return () => d?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className={`dialog ${props.wide ? 'dialog-wide' : ''} ${props.className ?? ''}`}
      aria-label={props.title}
      onCancel={(e) => {
        e.preventDefault()
        props.onClose()
      }}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose()
      }}
    >
      <div className="dialog-body">
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </dialog>
  )
}

export function ConfirmDialog(props: { title: string; message: ReactNode; confirm: string; danger?: boolean; onConfirm: () => Promise<void> | void; onClose: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    try {
      await props.onConfirm()
      props.onClose()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <div className="dialog-message">{props.message}</div>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
          <button type="submit" className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy} autoFocus>{busy ? 'Working…' : props.confirm}</button>
        </div>
      </form>
    </Dialog>
  )
}

/**
 * A form dialog's submit: checks the value, shows "Working…" while `run` goes, closes when it
 * succeeds, shows its error when it fails.
 */
export function useDialogSubmit<T>(value: T, run: (v: T) => Promise<void>, onClose: () => void, validate?: (v: T) => string | null) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const problem = validate?.(value) ?? null
    if (problem) return setError(problem)
    setBusy(true)
    setError(null)
    try {
      await run(value)
      onClose()
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  return { busy, error, submit }
}

export function PromptDialog(props: { title: string; label: string; initial: string; confirm: string; hint?: ReactNode; validate?: (v: string) => string | null; onSubmit: (value: string) => Promise<void>; onClose: () => void }) {
  const [value, setValue] = useState(props.initial)
  const { busy, error, submit } = useDialogSubmit(value, props.onSubmit, props.onClose, props.validate)
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <label>
          {props.label}
          <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus onFocus={(e) => selectStem(e.target)} required />
        </label>
        {props.hint && <p className="muted small">{props.hint}</p>}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Working…' : props.confirm}</button>
        </div>
      </form>
    </Dialog>
  )
}

/** Select the last path part without its extension, as file managers do on rename. */
function selectStem(input: HTMLInputElement): void {
  const v = input.value
  const start = v.endsWith('/') ? v.lastIndexOf('/', v.length - 2) + 1 : v.lastIndexOf('/') + 1
  const dot = v.lastIndexOf('.')
  const end = v.endsWith('/') ? v.length - 1 : dot > start ? dot : v.length
  input.setSelectionRange(start, end)
}
