/**
 * security.txt cases from the definitions themselves: RFC 9116 (§2.5.x examples, §2.7 signed example, §4 ABNF),
 * RFC 3339 §5.6–5.8 (Expires), RFC 5646 §2.1 and Appendix A (Preferred-Languages), each row naming its section.
 */
import type { Case } from './case';

const PAST = ['securitytxt.expires.expired']; // the RFC's examples expire on 2021-12-31
const BASE = 'Contact: mailto:security@example.com\nExpires: {FUT}\n';
const lang = (v: string, theirs: Case['theirs'], where: string): Case => ({
  origin: `RFC 5646 ${where}: ${v}`,
  scope: 'file',
  text: `${BASE}Preferred-Languages: ${v}\n`,
  theirs,
  ...(theirs === 'invalid' ? { ours: 'securitytxt.language.invalid' } : {}),
});
const expires = (v: string, theirs: Case['theirs'], where: string): Case => ({
  origin: `RFC 3339 ${where}: ${v}`,
  scope: 'line',
  text: `Contact: mailto:security@example.com\nExpires: ${v}\n`,
  theirs,
  ignore: PAST,
  ...(theirs === 'invalid' ? { ours: 'securitytxt.expires.invalid' } : {}),
});

export const RFC_CASES: Case[] = [
  {
    origin: 'RFC 9116 §2.5.3 Contact examples',
    scope: 'file',
    text: 'Contact: mailto:security@example.com\nContact: mailto:security%2Buri%2Bencoded@example.com\nContact: tel:+1-201-555-0123\nContact: https://example.com/security-contact.html\nExpires: {FUT}\n',
    theirs: 'valid',
  },
  { origin: 'RFC 9116 §2.5.4 Encryption examples (dns:, openpgp4fpr:)', scope: 'file', text: `${BASE}Encryption: https://example.com/pgp-key.txt\nEncryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY\nEncryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f\n`, theirs: 'valid' },
  { origin: 'RFC 9116 §2.5.8 Preferred-Languages example', scope: 'file', text: `${BASE}Preferred-Languages: en, es, fr\n`, theirs: 'valid' },
  { origin: 'RFC 9116 §2.5.5 Expires example (lower-case z)', scope: 'line', text: 'Expires: 2021-12-31T18:37:07z\n', theirs: 'valid', ignore: PAST },
  {
    origin: 'RFC 9116 §2.7 signed example, with a signature block of real framing',
    scope: 'file',
    text: '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# Canonical URI\nCanonical: https://example.com/.well-known/security.txt\n\n# Our security address\nContact: mailto:security@example.com\n\n# Our OpenPGP key\nEncryption: https://example.com/pgp-key.txt\n\n# Our security policy\nPolicy: https://example.com/security-policy.html\n\n# Our security acknowledgments page\nAcknowledgments: https://example.com/hall-of-fame.html\n\nExpires: 2021-12-31T18:37:07z\n-----BEGIN PGP SIGNATURE-----\nVersion: GnuPG v2.2\n\n{SIGDATA}\n-----END PGP SIGNATURE-----\n',
    theirs: 'valid',
    ignore: PAST,
  },
  { origin: 'RFC 9116 §4 contact-field = "Contact" fs SP uri (two spaces)', scope: 'file', text: 'Contact:  mailto:security@example.com\nExpires: {FUT}\n', theirs: 'invalid', ours: 'securitytxt.syntax.leading_whitespace' },
  { origin: 'RFC 9116 §4 line = [ (field / comment) ] eol (indented field)', scope: 'file', text: '  Contact: mailto:security@example.com\nExpires: {FUT}\n', theirs: 'invalid', ours: 'securitytxt.syntax.leading_whitespace' },
  { origin: 'RFC 9116 §4 eol = *WSP [CR] LF (trailing blanks, CRLF)', scope: 'file', text: 'Contact: mailto:security@example.com \t\r\nExpires: {FUT}\r\n# komentar — tim keamanan\r\n', theirs: 'valid' },
  { origin: 'RFC 9116 §4 fs = ":" (field name case-insensitive per RFC 5234)', scope: 'file', text: 'contact: mailto:security@example.com\nEXPIRES: {FUT}\n', theirs: 'valid' },
  { origin: 'RFC 9116 §4 ext-field = field-name fs SP unstructured', scope: 'file', text: `${BASE}X-Team: Tim Keamanan Siber\n`, theirs: 'valid' },
  { origin: 'RFC 9116 §4 ext-field = field-name fs SP unstructured (no SP)', scope: 'file', text: `${BASE}X-Team:\n`, theirs: 'invalid', ours: 'securitytxt.syntax.missing_space' },
  { origin: 'RFC 9116 §4 ext-field with an empty unstructured value', scope: 'file', text: `${BASE}X-Team: \n`, theirs: 'valid' },
  { origin: 'RFC 9116 §4 lang-field exactly one optional', scope: 'file', text: `${BASE}Preferred-Languages: id\nPreferred-Languages: en\n`, theirs: 'invalid', ours: 'securitytxt.field.duplicate' },
  { origin: 'RFC 9116 §2.5.2 Canonical web URI MUST begin with https://', scope: 'file', text: `${BASE}Canonical: http://example.com/.well-known/security.txt\n`, theirs: 'invalid', ours: 'securitytxt.field.insecure_uri' },
  { origin: 'RFC 9116 §2.5.7 Policy web URI MUST begin with https://', scope: 'file', text: `${BASE}Policy: http://example.com/policy\n`, theirs: 'invalid', ours: 'securitytxt.field.insecure_uri' },
  { origin: 'RFC 9116 §4 uri (RFC 3986 §3: no spaces)', scope: 'file', text: `${BASE}Policy: https://example.com/our policy.html\n`, theirs: 'invalid', ours: 'securitytxt.field.invalid_uri' },
  { origin: 'RFC 4880 §7.1 unescaped dash line in cleartext', scope: 'file', text: '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:security@example.com\n--- note\nExpires: {FUT}\n-----BEGIN PGP SIGNATURE-----\n\n{SIGDATA}\n-----END PGP SIGNATURE-----\n', theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  { origin: 'RFC 9116 §4 signed = cleartext-header 1*(hash-header) CRLF ... (no Hash header)', scope: 'file', text: '-----BEGIN PGP SIGNED MESSAGE-----\n\nContact: mailto:security@example.com\nExpires: {FUT}\n-----BEGIN PGP SIGNATURE-----\n\n{SIGDATA}\n-----END PGP SIGNATURE-----\n', theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  { origin: 'RFC 4880 §6.1 armor checksum must match (one data character changed)', scope: 'file', text: '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:security@example.com\nExpires: {FUT}\n-----BEGIN PGP SIGNATURE-----\n\n{SIGDATA_FLIPPED}\n-----END PGP SIGNATURE-----\n', theirs: 'invalid', ours: 'securitytxt.signature.malformed' },

  expires('1985-04-12T23:20:50.52Z', 'valid', '§5.8'),
  expires('1996-12-19T16:39:57-08:00', 'valid', '§5.8'),
  expires('1990-12-31T23:59:60Z', 'valid', '§5.8 (leap second)'),
  expires('1990-12-31T15:59:60-08:00', 'valid', '§5.8 (leap second)'),
  expires('1937-01-01T12:00:27.87+00:20', 'valid', '§5.8'),
  expires('2026-12-31 10:00:00Z', 'invalid', '§5.6 date-time needs "T" (the space is an application choice RFC 9116 does not make)'),
  expires('2027-02-29T10:00:00Z', 'invalid', '§5.7 (day beyond the month)'),
  expires('2026-12-31T24:00:00Z', 'invalid', '§5.6 time-hour 00-23'),
  expires('2026-12-31T10:00:00', 'invalid', '§5.6 time-offset required'),
  expires('2026-12-31T10:00:00+0700', 'invalid', '§5.6 time-numoffset has a colon'),

  lang('de', 'valid', 'Appendix A'),
  lang('zh-Hant', 'valid', 'Appendix A'),
  lang('sr-Latn', 'valid', 'Appendix A'),
  lang('zh-cmn-Hans-CN', 'valid', 'Appendix A'),
  lang('yue-HK', 'valid', 'Appendix A'),
  lang('sl-rozaj-biske', 'valid', 'Appendix A'),
  lang('de-CH-1901', 'valid', 'Appendix A'),
  lang('hy-Latn-IT-arevela', 'valid', 'Appendix A'),
  lang('es-419', 'valid', 'Appendix A'),
  lang('de-CH-x-phonebk', 'valid', 'Appendix A'),
  lang('x-whatever', 'valid', 'Appendix A'),
  lang('en-US-u-islamcal', 'valid', 'Appendix A'),
  lang('zh-CN-a-myext-x-private', 'valid', 'Appendix A'),
  lang('i-enochian', 'valid', 'Appendix A (grandfathered)'),
  lang('id, en', 'valid', '§2.1 (two tags)'),
  lang('de-419-DE', 'invalid', 'Appendix A (two region tags)'),
  lang('a-DE', 'invalid', 'Appendix A (single-character primary subtag)'),
  lang('ar-a-aaa-b-bbb-a-ccc', 'invalid', 'Appendix A (two extensions with the same singleton)'),
  lang('en,', 'invalid', '§2.1 via RFC 9116 lang-values (empty tag)'),
];
