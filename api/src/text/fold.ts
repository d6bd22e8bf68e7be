/**
 * The one text folding of the API. Retrieval (the local embedder), extractive answers, rule keywords,
 * the human-request detector and the sentiment lexicon all compare folded text, so the same words
 * match the same way everywhere.
 *
 * Why only Latin diacritics are stripped: in Devanagari, Thai, Arabic, Hebrew and other scripts the
 * combining marks are vowel signs and letters, not accents; stripping every \p{M} turns "किताब" into
 * unrelated consonant runs. Latin accents (U+0300-U+036F after NFKD) are what a visitor without the
 * key leaves out, so "HUMÁIN" and "humain" fold alike.
 */

/** Latin letters NFKD does not decompose, spelled the way a visitor without the key would type them. */
const LETTER_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
}
const LETTER_FOLD_RE = /[ßæœøłđðþı]/g
// Only the combining diacritical marks block: stripping every \p{M} would erase vowel signs that
// carry meaning in Devanagari, Thai, Arabic and other scripts.
const DIACRITICS_RE = /[\u0300-\u036f]/g
const APOSTROPHES_RE = /[\u2018\u2019\u02bc\u2032`´]/g

/**
 * Case- and accent-insensitive form of a text: NFKD, Latin diacritics stripped, lower case, curly
 * apostrophes made straight, whitespace collapsed to single spaces. Rules, the human-request detector
 * and the lexicon all compare folded text, so "HUMÁIN", "humain" and "Humain" are the same word.
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(DIACRITICS_RE, '')
    .toLowerCase()
    .replace(LETTER_FOLD_RE, (c) => LETTER_FOLDS[c] ?? c)
    .replace(APOSTROPHES_RE, "'")
    .replace(/\s{2,}|[^\S ]/gu, ' ')
    .trim()
}

/** What a word is made of: letters, digits and combining marks (the one definition `words` splits by). */
const WORD_CHARS = '\\p{L}\\p{N}\\p{M}'
const NON_WORD = new RegExp(`[^${WORD_CHARS}]+`, 'u')

/**
 * Words of a text: runs of letters, digits and combining marks (so Devanagari and Thai words stay
 * whole); apostrophes split elisions ("l'adresse" -> "l", "adresse"). Pass folded text for
 * case- and accent-insensitive words.
 */
export function words(text: string): string[] {
  return text.split(NON_WORD).filter(Boolean)
}

const WORD_CHAR = new RegExp(`^[${WORD_CHARS}]$`, 'u')

/** Whether the code point ending just before `at` (a letter outside the basic plane is two units) is a word's. */
function wordCharBefore(text: string, at: number): boolean {
  if (at <= 0) return false
  const low = text.charCodeAt(at - 1)
  const high = at >= 2 ? text.charCodeAt(at - 2) : 0
  const pair = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff
  const start = pair ? at - 2 : at - 1
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(start)!))
}

/**
 * Whether a text holds a word whole: no letter, digit or mark on either side (where `words` would cut
 * it out). Both should be folded alike. A plain substring search, checked at each place it is found:
 * no pattern is built per word (compiling a Unicode-class pattern for each word of each question
 * cost the hybrid search about 8 ms at its median).
 */
export function holdsWord(text: string, word: string): boolean {
  if (!word) return false
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const end = at + word.length
    if (wordCharBefore(text, at)) continue
    if (end < text.length && WORD_CHAR.test(String.fromCodePoint(text.codePointAt(end)!))) continue
    return true
  }
  return false
}
