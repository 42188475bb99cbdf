/**
 * The rename/move dialog's explanation (issue 16): how Swift renames, and — when the
 * container keeps versions — what happens to the file's history (moved.ts).
 */
import { useEffect, useState } from 'react'
import type { SwiftClient } from '../api/swift'
import { VERSIONED_MOVE_HINT } from './moved'
import { versionsEnabled } from './trash-api'

/** `onTakeHistory` (a single file): offers to take its earlier versions along (move-history.ts). */
export function MoveHint(props: { swift: SwiftClient; container: string; takeHistory?: boolean; onTakeHistory?: (take: boolean) => void }) {
  const [versioned, setVersioned] = useState(false)
  useEffect(() => {
    let live = true
    versionsEnabled(props.swift, props.container).then((v) => live && setVersioned(v === true), () => undefined)
    return () => {
      live = false
    }
  }, [props.swift, props.container])
  return (
    <>
      Change the name, or the folders before it to move. Objects are copied on the server, then the originals deleted.
      {versioned && <span className="move-versioned" data-testid="move-versioned-hint"> {VERSIONED_MOVE_HINT}</span>}
      {versioned && props.onTakeHistory && (
        <label className="move-history">
          <input type="checkbox" checked={props.takeHistory ?? false} onChange={(e) => props.onTakeHistory?.(e.target.checked)} /> Take its earlier versions along (renaming in this container only; they are copied anew, dated today)
        </label>
      )}
    </>
  )
}
