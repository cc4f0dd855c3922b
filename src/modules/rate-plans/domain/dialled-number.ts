/**
 * A telephone number as people write it, turned into the international digits rates are keyed by
 * ("+44 (20) 7946-0000", "0044 20 7946 0000" and "442079460000" are all 442079460000).
 *
 * Accepted: an optional international prefix ("+" or "00") at the start; digits; spaces, dashes, dots and
 * slashes between them; brackets around digits, as in "(20)". "(0)" right after the country code ("+44 (0)20 …")
 * is the national trunk prefix written for people dialling at home and is dropped. Anything else (letters,
 * a "+" inside, an unclosed bracket) is not a number: null, so the caller can say what it expects.
 */
export const MAX_NUMBER_DIGITS = 32;

export function normaliseDialledNumber(text: string): string | null {
  const s = text.trim();
  if (!/^\+?[\d\s\-./()]+$/.test(s)) return null;
  // Brackets: each pair holds digits (and spaces) only, never nested or left open.
  if (!/^[^()]*(\([\d\s]+\)[^()]*)*$/.test(s)) return null;
  let rest = s.replace(/[\s\-./]/g, '');
  let international = true;
  if (rest.startsWith('+')) rest = rest.slice(1);
  else if (rest.startsWith('00')) rest = rest.slice(2);
  else international = false;
  // "+44(0)20…": the "(0)" right after the country code goes; elsewhere brackets only group digits.
  if (international) rest = rest.replace(/^(\d{1,3})\(0\)/, '$1');
  const digits = rest.replace(/[()]/g, '');
  return /^\d+$/.test(digits) && digits.length <= MAX_NUMBER_DIGITS ? digits : null;
}
