/**
 * SNAP's minify(RequestBody): drop only the insignificant whitespace of RFC 8259 (`ws` = space, tab, LF, CR
 * between tokens) and keep every other byte — numerals as written (`10000.00`, 20-digit ids, `1E+2`), escapes as
 * written (`\u00e9`), spaces inside strings (SNAP pads partnerServiceId with leading spaces). A parse-and-
 * reserialise round trip would rewrite numbers and escapes, so the hash would cover a body nobody sent.
 */

/** RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D ). */
const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Whitespace outside strings removed; the caller has checked that `text` is JSON. */
function stripWs(text: string): string {
  let out = '';
  let from = 0; // start of the pending run of kept characters
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: copy through to the closing quote, skipping escaped characters (\" and \\ included).
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
      i++;
    } else if (isWs(c)) {
      out += text.slice(from, i);
      while (i < text.length && isWs(text.charCodeAt(i))) i++;
      from = i;
    } else i++;
  }
  return out + text.slice(from);
}

/**
 * The minified body, or the text unchanged when it is not JSON (SNAP bodies are JSON; anything else is signed
 * and sent exactly as written rather than guessed at). Empty or whitespace-only bodies minify to ''.
 */
export function minifyJson(body: string | undefined): string {
  if (body === undefined || /^[ \t\n\r]*$/.test(body)) return '';
  try {
    JSON.parse(body); // validation only: its result is never serialised
  } catch {
    return body;
  }
  return stripWs(body);
}
