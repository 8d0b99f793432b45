/** With the u flag a well-formed pair is one code point, so only a lone half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * False for text that no database stores as sent: NUL characters (PostgreSQL refuses them) and lone
 * UTF-16 surrogates (they would be replaced with U+FFFD on the way to UTF-8).
 */
export const isStorableText = (value: string): boolean =>
  !value.includes('\u0000') && !LONE_SURROGATE.test(value);

export const UNSTORABLE_TEXT_DETAIL = 'must be valid Unicode text without NUL characters';
