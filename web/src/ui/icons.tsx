/** The few icons the app uses, as inline SVG (no icon font, no network). */
import type { ReactNode } from 'react'
import type { FileKind } from './format'

function Svg(props: { children: ReactNode; size?: number }) {
  return (
    <svg className="icon" width={props.size ?? 20} height={props.size ?? 20} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {props.children}
    </svg>
  )
}

export const FolderIcon = (p: { size?: number }) => (
  <Svg size={p.size}>
    <path d="M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2.5h8.5A1.5 1.5 0 0 1 21 9v9.5a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 18.5z" />
  </Svg>
)

export const DriveIcon = (p: { size?: number }) => (
  <Svg size={p.size}>
    <rect x="3" y="5" width="18" height="14" rx="2" />
    <path d="M3 14h18M7 17h.01M11 17h.01" />
  </Svg>
)

export const FileIcon = (p: { kind?: FileKind; size?: number }) => (
  <Svg size={p.size}>
    <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
    <path d="M14 3v5h5" />
    {p.kind === 'image' && <path d="M8 17l3-3 2 2 3-4" />}
    {p.kind === 'video' && <path d="M10 12v5l4-2.5z" />}
    {p.kind === 'audio' && <path d="M10 17a1.5 1.5 0 1 1 0-.1V11l4-1" />}
    {p.kind === 'pdf' && <path d="M8 13h8M8 16h5" />}
    {p.kind === 'text' && <path d="M8 12h8M8 15h8M8 18h5" />}
  </Svg>
)

export const UploadIcon = () => (
  <Svg>
    <path d="M12 16V4M7 9l5-5 5 5M4 20h16" />
  </Svg>
)

export const CloseIcon = () => (
  <Svg>
    <path d="M6 6l12 12M18 6L6 18" />
  </Svg>
)

export const GridIcon = () => (
  <Svg>
    <rect x="4" y="4" width="7" height="7" rx="1" />
    <rect x="13" y="4" width="7" height="7" rx="1" />
    <rect x="4" y="13" width="7" height="7" rx="1" />
    <rect x="13" y="13" width="7" height="7" rx="1" />
  </Svg>
)

export const ListIcon = () => (
  <Svg>
    <path d="M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01" />
  </Svg>
)
