/**
 * Share links: mine (`/api/shares`) and the public side (`/api/public/shares/<token>`,
 * `/s/<token>/…`). The server's field names are normalised here once, so pages read one shape.
 */
import { encodePath } from './swift'
import { request, requestJson } from './http'

export type ShareKind = 'file' | 'folder' | 'drop'

export interface NewShare {
  container: string
  object?: string
  prefix?: string
  kind: ShareKind
  /** Unix seconds. */
  expiresAt?: number
  password?: string
  maxDownloads?: number
  /** Inline previews the share page may show (pictures, PDF, video, text); limited apart from downloads. */
  maxPreviews?: number
}

export interface Share {
  id: string
  token: string
  url: string
  kind: ShareKind
  container: string
  object?: string
  prefix?: string
  expiresAt?: string | null
  hasPassword: boolean
  maxDownloads?: number | null
  maxPreviews?: number | null
  downloads: number
  previews: number
  uploads: number
  views: number
  createdAt?: string
  /** 'active' | 'expired' | 'exhausted' | 'revoked' */
  state: string
  /** What the link shows as its title (file or folder name). */
  name: string
}

type RawShare = Partial<Share> & Record<string, unknown>

function normaliseShare(raw: RawShare): Share {
  const counts = (raw.counts ?? {}) as Record<string, unknown>
  const target = (raw.target ?? {}) as Record<string, unknown>
  const num = (...keys: string[]) => {
    for (const k of keys) {
      if (typeof counts[k] === 'number') return counts[k] as number
      if (typeof raw[k] === 'number') return raw[k] as number
    }
    return 0
  }
  return {
    id: String(raw.id),
    token: String(raw.token ?? ''),
    url: raw.url ? String(raw.url) : raw.token ? `/s/${raw.token}` : '',
    kind: (raw.kind ?? 'file') as ShareKind,
    container: String(target.container ?? raw.container ?? ''),
    object: (target.object ?? raw.object) as string | undefined,
    prefix: (target.prefix ?? raw.prefix) as string | undefined,
    expiresAt: toIso(raw.expiresAt),
    hasPassword: Boolean(raw.hasPassword ?? raw.passwordProtected ?? raw.needsPassword ?? false),
    maxDownloads: (raw.maxDownloads as number | null | undefined) ?? null,
    maxPreviews: (raw.maxPreviews as number | null | undefined) ?? null,
    downloads: num('downloads', 'downloadCount'),
    uploads: num('uploads', 'uploadCount'),
    views: num('views'),
    previews: num('previews'),
    createdAt: toIso(raw.createdAt) ?? undefined,
    state: String(raw.state ?? 'active'),
    name: String(raw.name ?? ''),
  }
}

/** The server may answer unix seconds, milliseconds or ISO text. */
function toIso(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null
  if (typeof v === 'number') return new Date(v < 1e12 ? v * 1000 : v).toISOString()
  return String(v)
}

export async function createShare(s: NewShare): Promise<Share> {
  return normaliseShare(await requestJson<RawShare>('/api/shares', { method: 'POST', json: s }))
}

export async function listShares(): Promise<Share[]> {
  const r = await requestJson<RawShare[] | { shares: RawShare[] }>('/api/shares')
  return (Array.isArray(r) ? r : r.shares).map(normaliseShare)
}

export async function revokeShare(id: string): Promise<void> {
  await request(`/api/shares/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

export function shareLink(share: Pick<Share, 'url'>): string {
  return new URL(share.url, location.origin).toString()
}

// ---- the public side ----

export interface PublicEntry {
  type: 'file' | 'folder'
  /** Path inside the share ("a/b.jpg", a folder's ending in "/"). */
  path: string
  name: string
  bytes: number
  contentType: string
  modified?: string
}

export interface PublicShare {
  kind: ShareKind
  name: string
  needsPassword: boolean
  expiresAt: string | null
  file?: PublicEntry
  entries?: PublicEntry[]
  /** The folder shown, relative to the link ('' or ending in '/'). */
  path: string
  nextMarker?: string
  /** Inline previews the link has left, when it has a preview limit. */
  previewsLeft?: number
}

function normaliseEntry(raw: Record<string, unknown>): PublicEntry {
  const path = String(raw.path ?? raw.name ?? '')
  return {
    type: raw.type === 'folder' ? 'folder' : 'file',
    path,
    name: String(raw.name ?? path).split('/').pop() ?? path,
    bytes: Number(raw.bytes ?? raw.size ?? 0),
    contentType: String(raw.contentType ?? raw.content_type ?? ''),
    modified: (raw.lastModified ?? raw.last_modified ?? raw.modified) as string | undefined,
  }
}

export class PublicShareClient {
  constructor(readonly token: string) {}

  private get base(): string {
    return `/s/${encodeURIComponent(this.token)}`
  }

  /** The link's description; for a folder link, one page of the folder at `path`. */
  async get(path = '', marker?: string): Promise<PublicShare> {
    const q = new URLSearchParams()
    if (path) q.set('path', path)
    if (marker) q.set('marker', marker)
    const query = q.size ? `?${q}` : ''
    const raw = await requestJson<Record<string, unknown>>(`/api/public/shares/${encodeURIComponent(this.token)}${query}`, { quiet401: true })
    return {
      kind: raw.kind as ShareKind,
      name: String(raw.name ?? ''),
      needsPassword: Boolean(raw.needsPassword),
      expiresAt: toIso(raw.expiresAt),
      file: raw.file ? normaliseEntry(raw.file as Record<string, unknown>) : undefined,
      entries: Array.isArray(raw.entries) ? (raw.entries as Record<string, unknown>[]).map(normaliseEntry) : undefined,
      path: String(raw.path ?? ''),
      nextMarker: typeof raw.nextMarker === 'string' ? raw.nextMarker : undefined,
      previewsLeft: typeof raw.previewsLeft === 'number' ? raw.previewsLeft : undefined,
    }
  }

  async unlock(password: string): Promise<void> {
    await request(`/api/public/shares/${encodeURIComponent(this.token)}/unlock`, { method: 'POST', json: { password }, quiet401: true })
  }

  fileUrl(path?: string, download = false): string {
    return `${this.base}/file${path ? `/${encodePath(path)}` : ''}${download ? '?download=1' : ''}`
  }

  thumbUrl(path: string, size: 256 | 1280 = 256): string {
    return `${this.base}/thumb/${encodePath(path)}?size=${size}`
  }

  zipUrl(): string {
    return `${this.base}/zip`
  }

  uploadUrl(name: string): string {
    return `${this.base}/upload/${encodePath(name)}`
  }
}
