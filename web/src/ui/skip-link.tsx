/** "Skip to content": the first Tab stop of every signed-in page, moving the focus into <main>. */
export function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(e) => {
        e.preventDefault()
        const main = document.getElementById('main')
        if (!main) return
        // (the first row or field inside, when there is one; else <main> itself)
        const first = main.querySelector<HTMLElement>('[data-index], input:not([type="hidden"]):not([hidden]), button, a[href]')
        ;(first ?? main).focus()
      }}
    >
      Skip to content
    </a>
  )
}
