/**
 * RFC 9116 §2.5.8 Preferred-Languages values: Language-Tag of RFC 5646 §2.1 (well-formed), with the primary
 * language subtag checked where that can be done without the whole IANA registry (RFC 5646 §2.2.9 "valid").
 */

// RFC 5646 §2.1 ABNF, transcribed production by production (matching is case-insensitive, §2.1.1).
const alphanum = '[a-z0-9]';
const extlang = '[a-z]{3}(?:-[a-z]{3}){0,2}';
const language = `(?:[a-z]{2,3}(?:-${extlang})?|[a-z]{4}|[a-z]{5,8})`;
const script = '[a-z]{4}';
const region = '(?:[a-z]{2}|[0-9]{3})';
const variant = `(?:${alphanum}{5,8}|[0-9]${alphanum}{3})`;
const singleton = '[0-9a-wyz]';
const extension = `${singleton}(?:-${alphanum}{2,8})+`;
const privateuse = `x(?:-${alphanum}{1,8})+`;
const langtag = `${language}(?:-${script})?(?:-${region})?(?:-${variant})*(?:-${extension})*(?:-${privateuse})?`;
const irregular = [
  'en-GB-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
  'i-navajo',
  'i-pwn',
  'i-tao',
  'i-tay',
  'i-tsu',
  'sgn-BE-FR',
  'sgn-BE-NL',
  'sgn-CH-DE',
];
const regular = ['art-lojban', 'cel-gaulish', 'no-bok', 'no-nyn', 'zh-guoyu', 'zh-hakka', 'zh-min', 'zh-min-nan', 'zh-xiang'];
const LANGUAGE_TAG = new RegExp(`^(?:${langtag}|${privateuse}|${[...irregular, ...regular].join('|')})$`, 'i');

/**
 * Two-letter primary subtags: ISO 639-1, which the IANA registry takes over whole (RFC 5646 §2.2.1 rule 2).
 * List from Debian iso-codes 4.15.0 (iso_639-2.json, every alpha_2), plus the withdrawn ISO 639-1 codes the
 * registry still carries as deprecated subtags (in → id, iw → he, ji → yi, jw → jv, mo → ro).
 */
const ISO_639_1 = new Set(
  'aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu in iw ji jw mo'.split(
    ' ',
  ),
);

/** Why a Preferred-Languages value is not a language tag, or undefined when it is one. */
export function languageTagProblem(tag: string): string | undefined {
  if (!LANGUAGE_TAG.test(tag)) return 'not a well-formed RFC 5646 language tag';
  const primary = tag.split('-')[0].toLowerCase();
  if (primary === 'x' || primary === 'i') return undefined; // private use, grandfathered i-…
  // §2.2.6 rule 2 / §2.2.9: an extension singleton appears at most once (before the private-use "x").
  const parts = tag.toLowerCase().split('-');
  const end = parts.indexOf('x') < 0 ? parts.length : parts.indexOf('x');
  const singletons = parts.slice(1, end).filter((p) => p.length === 1);
  if (new Set(singletons).size !== singletons.length) return 'an extension singleton appears twice';
  // RFC 5646 §2.2.1: 4-letter primary subtags are reserved for future use (rule 4) and 5–8 letters are for
  // registered languages only (rule 5); the registry holds none of either.
  if (primary.length >= 4) return `primary subtag "${primary}" is not a registered language (use a 2- or 3-letter ISO 639 code)`;
  if (primary.length === 2 && !ISO_639_1.has(primary)) return `"${primary}" is not an ISO 639-1 language code`;
  return undefined;
}

/**
 * lang-values = lang-tag *(*WSP "," *WSP lang-tag) (RFC 9116 §4). Returns the tags, and one problem per value
 * that is not a language tag (including empty values from a stray comma, or other separators such as ";").
 */
export function parseLanguages(value: string): { tags: string[]; problems: string[] } {
  const tags = value.split(',').map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''));
  const problems: string[] = [];
  tags.forEach((t, i) => {
    const p = t === '' ? 'empty value' : languageTagProblem(t);
    if (p) problems.push(`#${i + 1} "${t.slice(0, 40)}": ${p}`);
  });
  return { tags: tags.filter(Boolean), problems };
}
