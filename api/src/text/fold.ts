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

/**
 * A test for one word as a whole word of a text: no letter, digit or mark on either side (the words
 * `words` would cut). The word comes from `words`, so it holds no pattern syntax; both texts should
 * be folded alike. No quantifier: at most the word's length of work at each position of the text.
 */
export function wholeWord(word: string): RegExp {
  return new RegExp(`(?<![${WORD_CHARS}])${word}(?![${WORD_CHARS}])`, 'u')
}
