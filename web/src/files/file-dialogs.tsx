/**
 * The file browser's dialogs (files-page.tsx opens them): new folder or container, rename
 * or move (a container's rename is a server-side job: container-rename.tsx), move and copy
 * through the folder picker, delete, share, details and versions. Each reports back what
 * changed, so the page refreshes its listing and says what happened.
 */
import { useEffect, useState } from 'react'
import type { Entry, SwiftClient } from '../api/swift'
import { ShareDialog } from '../shares/share-dialog'
import { moveWithHistory } from '../trash/move-history'
import { MoveHint } from '../trash/move-hint'
import { VersionsDialog } from '../trash/versions-dialog'
import { ConfirmDialog, PromptDialog } from '../ui/dialog'
import { copyInto, deleteEntries, moveEntry, moveInto, splitTarget } from './actions'
import { ContainerRenameDialog, renameSummary } from './container-rename'
import { DetailsPanel } from './details-panel'
import { FolderPickerDialog } from './folder-picker'
import { checkDestination } from './messages'

type ObjectEntry = Extract<Entry, { type: 'object' }>

export type DialogState =
  | { type: 'new-folder' }
  | { type: 'rename'; entry: Entry }
  | { type: 'move'; entries: Entry[] }
  | { type: 'copy'; entries: Entry[] }
  | { type: 'delete'; entries: Entry[] }
  | { type: 'share'; entry: Entry }
  | { type: 'details'; entry: Entry }
  | { type: 'versions'; entry: ObjectEntry }
  | null

export function FileDialogs(props: {
  dialog: DialogState
  onClose: () => void
  swift: SwiftClient
  container: string
  prefix: string
  /** "container/prefix" of the folder on screen ('' at the top). */
  here: string
  /** After a change: the entries gone from the folder on screen. */
  onChanged: (gone?: Entry[]) => void
  /** Reload the listing (nothing gone). */
  onRefresh: () => void
  progress: (verb: string) => (n: number) => void
  onNotice: (text: string) => void
}) {
  const { dialog, swift, container, prefix, here, progress } = props
  const { onClose, onChanged, onRefresh, onNotice } = props
  // (the rename dialog's "take its earlier versions along", fresh for every dialog)
  const [takeHistory, setTakeHistory] = useState(false)
  useEffect(() => setTakeHistory(false), [dialog])
  return (
    <>
      {dialog?.type === 'new-folder' && (
        <PromptDialog
          title={container ? 'New folder' : 'New container'}
          label="Name"
          initial=""
          confirm="Create"
          validate={(v) => (!v.trim() ? 'Give it a name.' : !container && v.includes('/') ? 'A container name has no “/”.' : null)}
          onSubmit={async (v) => {
            const name = v.trim().replace(/^\/+|\/+$/g, '')
            if (container) await swift.createFolder(container, `${prefix}${name}/`)
            else await swift.createContainer(name, { versions: true })
            onRefresh()
          }}
          onClose={() => onClose()}
        />
      )}
      {dialog?.type === 'rename' && dialog.entry.type === 'container' && (
        <ContainerRenameDialog
          from={dialog.entry.name}
          onDone={(job) => {
            onChanged([dialog.entry])
            onClose()
            onNotice(renameSummary(job))
          }}
          onClose={() => onClose()}
        />
      )}
      {dialog?.type === 'rename' && dialog.entry.type !== 'container' && (
        <PromptDialog
          title={`Rename or move “${dialog.entry.name}”`}
          label="New path (container/folder/name)"
          initial={dialog.entry.path}
          confirm="Rename"
          hint={<MoveHint swift={swift} container={dialog.entry.container} takeHistory={takeHistory} onTakeHistory={dialog.entry.type === 'object' ? setTakeHistory : undefined} />}
          validate={(v) => (v.trim() === dialog.entry.path ? 'That is where it is already.' : null)}
          onSubmit={async (v) => {
            await checkDestination(swift, v.trim())
            if (takeHistory && dialog.entry.type === 'object') await moveWithHistory(swift, dialog.entry, { container: splitTarget(v.trim()).container, object: splitTarget(v.trim()).path })
            else await moveEntry(swift, dialog.entry, v.trim(), progress('Moved'))
            onChanged([dialog.entry])
          }}
          onClose={() => onClose()}
        />
      )}
      {(dialog?.type === 'move' || dialog?.type === 'copy') && (
        <FolderPickerDialog
          swift={swift}
          title={`${dialog.type === 'move' ? 'Move' : 'Copy'} ${dialog.entries.length} item${dialog.entries.length === 1 ? '' : 's'}`}
          confirm={dialog.type === 'move' ? 'Move' : 'Copy'}
          initial={here}
          validate={(t) => (t === here ? 'They are in that folder already.' : null)}
          onPick={async (t) => {
            await checkDestination(swift, t)
            if (dialog.type === 'move') await moveInto(swift, dialog.entries, t, progress('Moved'))
            else await copyInto(swift, dialog.entries, t, progress('Copied'), (name, d, n) => onNotice(`Copying “${name}”: part ${d} of ${n}…`))
            onChanged(dialog.type === 'move' ? dialog.entries : [])
          }}
          onClose={() => onClose()}
        />
      )}
      {dialog?.type === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.entries.length === 1 ? `“${dialog.entries[0].name}”` : `${dialog.entries.length} items`}?`}
          message={
            <p>
              {dialog.entries.some((e) => e.type !== 'object') ? 'Folders and containers are deleted with everything in them. ' : ''}
              {dialog.entries.some((e) => e.type === 'container') ? 'A container goes with all its versions: this cannot be undone.' : 'Files go to the Trash when their container keeps versions; otherwise this cannot be undone.'}
            </p>
          }
          confirm="Delete"
          danger
          onConfirm={async () => {
            await deleteEntries(swift, dialog.entries, progress('Deleted'))
            onChanged(dialog.entries)
          }}
          onClose={() => onClose()}
        />
      )}
      {dialog?.type === 'share' && <ShareDialog entry={dialog.entry} onClose={() => onClose()} />}
      {dialog?.type === 'details' && <DetailsPanel swift={swift} entry={dialog.entry} onClose={() => onClose()} />}
      {dialog?.type === 'versions' && <VersionsDialog swift={swift} container={dialog.entry.container} object={dialog.entry.object} onClose={() => onClose()} onRestored={() => onRefresh()} />}
    </>
  )
}
