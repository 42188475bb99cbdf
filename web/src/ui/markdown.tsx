/**
 * Markdown shown as a document, safely: marked turns it into HTML with raw HTML escaped (a
 * README's `<script>` or `<img onerror>` shows as text), then the result is parsed (inert,
 * by DOMParser) and rebuilt keeping only an allowlist of elements and attributes; links keep
 * only http(s), mailto and in-page targets and open in a new tab without an opener; images
 * are not loaded (a stranger's server would learn who reads the file): they show their alt
 * text as a link.
 */
import { Marked } from 'marked'

const ALLOWED = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 'a', 'hr', 'br', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'span'])

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`,
  },
})

function safeHref(href: string): string | null {
  const h = href.trim()
  if (h.startsWith('#')) return h
  try {
    const u = new URL(h, 'https://relative.invalid/')
    if (u.origin === 'https://relative.invalid') return null // (relative to what? the app's own pages are no target)
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.href : null
  } catch {
    return null
  }
}

/** Copies the allowed parts of `from` under `to`. */
function copySafe(from: Node, to: Node, doc: Document): void {
  for (const n of Array.from(from.childNodes)) {
    if (n.nodeType === Node.TEXT_NODE) {
      to.appendChild(doc.createTextNode(n.textContent ?? ''))
      continue
    }
    if (n.nodeType !== Node.ELEMENT_NODE) continue
    const el = n as Element
    const tag = el.tagName.toLowerCase()
    if (!ALLOWED.has(tag)) {
      copySafe(el, to, doc) // (its text stays, the element goes)
      continue
    }
    if (tag === 'input' && el.getAttribute('type') !== 'checkbox') continue
    const out = doc.createElement(tag)
    if (tag === 'a') {
      const href = safeHref(el.getAttribute('href') ?? '')
      if (href) {
        out.setAttribute('href', href)
        if (!href.startsWith('#')) {
          out.setAttribute('target', '_blank')
          out.setAttribute('rel', 'noopener noreferrer nofollow')
        }
      }
    }
    if (tag === 'input') {
      out.setAttribute('type', 'checkbox')
      out.setAttribute('disabled', '')
      if (el.hasAttribute('checked')) out.setAttribute('checked', '')
    }
    if ((tag === 'th' || tag === 'td') && /^(left|right|center)$/.test(el.getAttribute('align') ?? '')) out.setAttribute('align', el.getAttribute('align')!)
    if (tag === 'code' && /^language-[\w-]+$/.test(el.getAttribute('class') ?? '')) out.setAttribute('class', el.getAttribute('class')!)
    copySafe(el, out, doc)
    to.appendChild(out)
  }
}

/** Markdown → sanitized HTML (a string for innerHTML; nothing in it runs or loads). */
export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html')
  const doc = document.implementation.createHTMLDocument('')
  const root = doc.createElement('div')
  copySafe(parsed.body, root, doc)
  return root.innerHTML
}

export function isMarkdown(name: string): boolean {
  return /\.(md|markdown|mdown|mkd)$/i.test(name)
}

export function MarkdownView(props: { source: string; name: string }) {
  return <div className="preview-markdown" data-preview="markdown" tabIndex={0} aria-label={`${props.name}, as a document`} dangerouslySetInnerHTML={{ __html: renderMarkdown(props.source) }} />
}
