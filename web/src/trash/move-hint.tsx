/**
 * The rename/move dialog's explanation (issue 16): how Swift renames, and — when the
 * container keeps versions — what happens to the file's history (moved.ts).
 */
import { useEffect, useState } from 'react'
import type { SwiftClient } from '../api/swift'
import { VERSIONED_MOVE_HINT } from './moved'
import { versionsEnabled } from './trash-api'

export function MoveHint(props: { swift: SwiftClient; container: string }) {
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
    </>
  )
}
