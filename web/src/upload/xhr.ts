/**
 * A PUT with upload progress (fetch has none): XMLHttpRequest with the session cookie,
 * aborted through an AbortSignal. Resolves with the status and ETag for any HTTP answer;
 * rejects only when the connection fails or the caller aborts.
 */

export interface PutResult {
  status: number
  etag: string | null
  body: string
}

export class AbortedError extends Error {
  constructor() {
    super('cancelled')
  }
}

export function xhrPut(url: string, body: Blob, headers: Record<string, string>, onProgress: (loaded: number) => void, signal: AbortSignal): Promise<PutResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError())
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    xhr.withCredentials = true
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => onProgress(e.loaded)
    const abort = () => xhr.abort()
    signal.addEventListener('abort', abort, { once: true })
    xhr.onload = () => {
      signal.removeEventListener('abort', abort)
      resolve({ status: xhr.status, etag: xhr.getResponseHeader('ETag'), body: xhr.responseText })
    }
    xhr.onerror = () => {
      signal.removeEventListener('abort', abort)
      reject(new Error('connection lost'))
    }
    xhr.onabort = () => reject(new AbortedError())
    xhr.send(body)
  })
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError())
    const t = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    const stop = () => {
      clearTimeout(t)
      reject(new AbortedError())
    }
    signal.addEventListener('abort', stop, { once: true })
  })
}
