/**
 * Text from users (names, addresses, destinations) may hold anything. These are the only two ways it
 * enters a document: XML gets everything XML 1.0 can carry (escaping is the XML builder's job), a PDF
 * gets one printable line.
 */

/** Characters XML 1.0 cannot carry at all, even escaped: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for an XML element or attribute: NFC, without the characters XML forbids. */
export function xmlText(value: string): string {
  return value.normalize('NFC').replace(NOT_XML, '');
}

/**
 * One printable line for the PDF: NFC, control characters (C0/C1, line breaks and tabs included) as
 * spaces, every run of spaces one space, and no invisible formatting characters (bidi overrides,
 * zero-width characters), which a PDF would show as boxes or use to disguise text.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function printableText(value: string): string {
  return value.normalize('NFC').replace(LONE_SURROGATE, '').replace(INVISIBLE, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
}
