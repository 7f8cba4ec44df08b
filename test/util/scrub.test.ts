/** Scrubbing secrets from results: every common encoding, either case, any fragment of 8+, cut or not. */
import { clip } from '../../src/probes/http/assertions';
import { Scrubber, scrubSecrets } from '../../src/util/scrub';
import { withSecrets } from '../../src/util/secret-scope';

// Special characters on purpose: each encoding below then really differs from the raw token.
const TOKEN = 'Tk"9/+ab=CD-ef_GH%ij&kl\\mn op';

/** Encodings made with Node's own encoders (the definitions a target would use), with what to skip at the start. */
function echoes(): Array<{ name: string; text: string; skip: number }> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const b64url = (s: string) => Buffer.from(s).toString('base64url');
  return [
    { name: 'raw', text: TOKEN, skip: 0 },
    { name: 'upper', text: TOKEN.toUpperCase(), skip: 0 },
    { name: 'lower', text: TOKEN.toLowerCase(), skip: 0 },
    { name: 'json', text: JSON.stringify(TOKEN).slice(1, -1), skip: 0 },
    { name: 'url', text: encodeURIComponent(TOKEN), skip: 0 },
    { name: 'url-lower', text: encodeURIComponent(TOKEN).toLowerCase(), skip: 0 },
    { name: 'form', text: new URLSearchParams({ t: TOKEN }).toString().slice(2), skip: 0 },
    { name: 'base64', text: b64(TOKEN), skip: 0 },
    // "Bearer " shifts the token by 7 bytes: another alignment; the first 10 characters encode "Bearer ".
    { name: 'base64-bearer', text: b64(`Bearer ${TOKEN}`), skip: 10 },
    { name: 'base64-basic', text: b64(`user:${TOKEN}`), skip: 7 },
    { name: 'base64url', text: b64url(TOKEN), skip: 0 },
    { name: 'hex', text: Buffer.from(TOKEN).toString('hex').toUpperCase(), skip: 0 },
  ];
}

/** Any 8-character window of the secret part of an echo still present (case-insensitive). */
function leaked(out: string, echo: { text: string; skip: number }): string[] {
  const low = out.toLowerCase();
  const secret = echo.text.slice(echo.skip).toLowerCase();
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) if (low.includes(secret.slice(i, i + 8))) found.push(secret.slice(i, i + 8));
  return found;
}

describe('Scrubber', () => {
  const s = new Scrubber([TOKEN]);
  it.each(echoes().map((e) => [e.name, e] as const))('removes the %s echo, whole and cut at several lengths', (_n, e) => {
    for (const cut of [8, 9, 12, 17, 25, e.text.length]) {
      const echoed = e.text.slice(0, e.skip + cut);
      const out = s.text(`before ${echoed} after`);
      expect(leaked(out, e)).toEqual([]);
      expect(out.startsWith('before ')).toBe(true);
      expect(out.endsWith(' after')).toBe(true);
      // Cut from the front too (a target that keeps the tail).
      expect(leaked(s.text(`x${e.text.slice(e.skip + 3)}`), { text: e.text.slice(e.skip + 3), skip: 0 })).toEqual([]);
    }
  });

  it('leaves text without the secret alone (the check can fail: it does not redact everything)', () => {
    const text = 'status 200, body {"status":"UP"} Bearer abcdefghijkl QmVhcmVyIA==';
    expect(s.text(text)).toBe(text);
  });

  it('walks nested values and keys, keeping non-strings', () => {
    const v = scrubSecrets({ a: [`x${TOKEN}`, 3, null], [TOKEN]: true, n: 1.5 }, [TOKEN]);
    expect(JSON.stringify(v)).not.toContain('ab=CD');
    expect(v.a[1]).toBe(3);
    expect(v.n).toBe(1.5);
    // A field name that shares a word with the secret keeps its name; its value is still scrubbed.
    const named = scrubSecrets({ redirects: 'redirect-s3cr3t-x', [`h-redirect-s3cr3t-x`]: 1 }, ['redirect-s3cr3t-x']);
    expect(named).toEqual({ redirects: '[redacted]', 'h-[redacted]': 1 });
  });

  it('scrubs before clipping: a cut 3 characters into the token leaves none of it', () => {
    const pad = 'p'.repeat(197);
    const inside = withSecrets([TOKEN], () => clip(`${pad}${TOKEN}`) as string);
    expect(inside).not.toContain(`${pad}${TOKEN.slice(0, 3)}`);
    expect(inside.startsWith(pad)).toBe(true);
    // Without the scope (what happened before): the cut leaves "Tk\"" that no scrubber can recognise later.
    expect(clip(`${pad}${TOKEN}`)).toBe(`${pad}${TOKEN.slice(0, 3)}…`);
  });
});
