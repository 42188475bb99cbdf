/**
 * Storage used and quota, as Swift keeps them: at the top level the account's bytes (its
 * versions and trash included) against X-Account-Meta-Quota-Bytes (set by an administrator;
 * uploads past it answer 413), inside a container that container's bytes and objects against
 * X-Container-Meta-Quota-Bytes / -Quota-Count (the owner may set those with any Swift client).
 * One HEAD per folder change; shows nothing until it answers.
 */
import { useEffect, useState } from 'react'
import { request } from '../api/http'
import type { SwiftClient } from '../api/swift'
import { formatBytes } from '../ui/format'
import './storage-usage.css'

export interface Usage {
  bytes: number
  count: number
  quotaBytes?: number
  quotaCount?: number
}

const num = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : undefined)

export async function readUsage(swift: SwiftClient, container: string): Promise<Usage> {
  const r = await request(container ? swift.containerUrl(container) : swift.storageUrl, { method: 'HEAD', cache: 'no-store' })
  const h = (k: string) => r.headers.get(k)
  if (!container) return { bytes: num(h('X-Account-Bytes-Used')) ?? 0, count: num(h('X-Account-Object-Count')) ?? 0, quotaBytes: num(h('X-Account-Meta-Quota-Bytes')) }
  return { bytes: num(h('X-Container-Bytes-Used')) ?? 0, count: num(h('X-Container-Object-Count')) ?? 0, quotaBytes: num(h('X-Container-Meta-Quota-Bytes')), quotaCount: num(h('X-Container-Meta-Quota-Count')) }
}

export function StorageUsage(props: { swift: SwiftClient; container: string; /** changes when the listing does */ version?: unknown }) {
  const { swift, container } = props
  const [usage, setUsage] = useState<Usage | null>(null)
  useEffect(() => {
    let live = true
    readUsage(swift, container).then((u) => live && setUsage(u), () => live && setUsage(null))
    return () => {
      live = false
    }
  }, [swift, container, props.version])
  if (!usage) return null
  const who = container ? `“${container}”` : 'Your storage'
  const pct = usage.quotaBytes ? Math.min(100, (usage.bytes / usage.quotaBytes) * 100) : undefined
  return (
    <div className={`storage-usage ${pct !== undefined && pct >= 90 ? 'near-full' : ''}`} data-testid="storage-usage">
      <span>
        {who}: <strong>{formatBytes(usage.bytes)}</strong> used
        {usage.quotaBytes !== undefined ? <> of {formatBytes(usage.quotaBytes)} quota</> : ' (no quota)'}
        <span className="muted"> · {usage.count.toLocaleString()} object{usage.count === 1 ? '' : 's'}{usage.quotaCount !== undefined ? ` of ${usage.quotaCount.toLocaleString()} allowed` : ''}</span>
      </span>
      {pct !== undefined && (
        <span className="usage-bar" role="meter" aria-label="Quota used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
          <span style={{ width: `${pct}%` }} />
        </span>
      )}
    </div>
  )
}
