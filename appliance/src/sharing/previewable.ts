/**
 * Which objects a share page previews inline, decided the way the page decides it
 * (web/src/ui/format.ts fileKind: the stored type, else the name's extension). A share link's
 * `?inline=1` read is the page's preview and is counted as a view only for these; for any
 * other object an inline read is the whole file handed over, so it counts as a download and a
 * download limit cannot be walked around by adding `?inline=1` to the URL. The name and the
 * type are the owner's (or a drop uploader's), never the visitor's. No HTTP types.
 */

const TEXT_EXT = /\.(txt|md|markdown|json|ya?ml|toml|ini|cfg|conf|log|csv|tsv|xml|html?|css|s?css|less|js|mjs|cjs|jsx|ts|tsx|mts|cts|py|rb|go|rs|c|h|cc|cpp|hpp|java|kt|swift|sh|bash|zsh|sql|env|gitignore|dockerfile|makefile)$/i
const MEDIA_EXT = /\.(jpe?g|png|gif|webp|avif|bmp|svg|tiff?|heic|mp4|m4v|webm|mov|mkv|ogv|mp3|m4a|aac|wav|flac|ogg|oga|opus|pdf)$/i
const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript', 'application/pdf'])

/** Whether the share page shows `name` (stored as `contentType`) in its previewer. */
export function sharePagePreviews(name: string, contentType: string): boolean {
  const ct = contentType.split(';')[0].trim().toLowerCase()
  if (/^(image|video|audio|text)\//.test(ct) || TEXT_TYPES.has(ct)) return true
  return MEDIA_EXT.test(name) || TEXT_EXT.test(name)
}
