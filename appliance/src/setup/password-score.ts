/**
 * The strength of a new password, shared by the server (which has the last word) and the
 * wizard's meter in the browser (web/src/setup/ imports this very file): no imports, no
 * Node or DOM APIs.
 */
/**
 * A password's strength, 0 (very weak) to 4 (strong), from its length and its kinds of
 * characters, with penalties for repeats and runs ("aaaa", "1234").
 */
export function passwordScore(pw: string): number {
  if (pw.length < 8) return 0
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  const distinct = new Set(pw).size
  let score = (pw.length >= 12 ? 2 : 1) + (pw.length >= 16 ? 1 : 0) + (kinds >= 3 ? 1 : 0) + (kinds >= 2 ? 0 : -1)
  if (distinct < pw.length / 2) score -= 1
  if (/(0123|1234|2345|3456|4567|5678|6789|abcd|qwer|asdf|password|velox)/i.test(pw)) score -= 1
  return Math.max(0, Math.min(4, score))
}

export const SCORE_WORDS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong']
