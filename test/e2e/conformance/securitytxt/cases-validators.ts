/**
 * security.txt cases taken from two published validators' test suites, each row citing its test. `theirs` is the
 * validator's verdict; `ours` the finding pengawas must raise when it agrees that the file is invalid.
 * Placeholders are filled relative to the run's clock: {FUT} +90 days, {SOON} +10 days, {PAST} -5 days, {FAR} +2 years.
 * `scope: 'line'` rows come from tests of a single line or field: missing Contact/Expires are not judged there.
 */
import type { Case } from './case';

const S = 'DigitalTrustCenter/sectxt@2251a4ec test/test_sectxt.py';
const P = 'spaze/security-txt@e008fb01 tests/Parser/SecurityTxtParserTest.phpt';
const PF = 'spaze/security-txt@e008fb01 tests/Parser/FieldProcessors/ExpiresCheckFieldFormatTest.phpt';

// sectxt's _signed_example (its signature block verbatim; the validators do not verify it either).
const SIGNED = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

# Canonical URI
Canonical: https://example.com/.well-known/security.txt

# Our security address
Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

# Our security policy
Policy: https://example.com/security-policy.html

# Our security acknowledgments page
Acknowledgments: https://example.com/hall-of-fame.html

# CSAF link
CSAF: https://example.com/.well-known/csaf/provider-metadata.json

Expires: {SOON}
-----BEGIN PGP SIGNATURE-----
Version: GnuPG v2.2

wpwEAQEIABAFAmTHcawJEDs4gPMoG10dAACN5wP/UozhFqHcUWRNhg4KwfY4
HHXU8bf222naeYJHgaHadLTJJ8YQIQ9N5fYF7K4BM0jPZc48aaUPaBdhNxw+
KDtQJWPzVREIbbGLRQ5WNYrLR6/7v1LHTI8RvgY22QZD9EAkFQwgdG8paIP4
2APWewNf8e01t1oh4n5bDBtr4IaQoj0=
=DHXw
-----END PGP SIGNATURE-----
`;
const STATIC = 'Expires: {SOON}\nContact: mailto:security@example.com\n';
// spaze's testParseStringSignedFile, signature block verbatim.
const SPAZE_SIGNED = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

Contact: https://example.com/
Expires: {SOON}
Canonical: https://foo.bar.example/
-----BEGIN PGP SIGNATURE-----

iJIEARYKADoWIQSvbhd14xH/eOkR59x/h5ABqcj1CgUCaH7y/xwcc3RpbGwudGVz
dHNAbGlicmFyeS5leGFtcGxlAAoJEH+HkAGpyPUKRvEA/2cVGZs54ieQ7s1nSTla
6O+JHJNaLOf3llvGRi55gW+BAQCDVLTj2q7cbHPS78lD/uvsgFI3NVWwZx8m72sx
SmjCCQ==
=bZYA
-----END PGP SIGNATURE-----
`;

export const VALIDATOR_CASES: Case[] = [
  { origin: `${S}::test_future_expires`, scope: 'line', text: 'Expires: {FAR}\n', theirs: 'valid' },
  { origin: `${S}::test_invalid_expires (1)`, scope: 'line', text: 'Expires: Nonsense\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${S}::test_invalid_expires (2)`, scope: 'line', text: 'Expires: Thu, 15 Sep 2022 06:03:46 -0700\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${S}::test_expired`, scope: 'line', text: 'Expires: 2020-01-01T12:00:00Z\n', theirs: 'invalid', ours: 'securitytxt.expires.expired' },
  // The three Preferred-Languages rows get a final LF so that only the language rule is judged.
  { origin: `${S}::test_preferred_languages (English)`, scope: 'file', text: `${STATIC}Preferred-Languages: English\n`, theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${S}::test_preferred_languages (nl, Invalid)`, scope: 'file', text: `${STATIC}Preferred-Languages: nl, Invalid\n`, theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${S}::test_preferred_languages (En, dUT)`, scope: 'file', text: `${STATIC}Preferred-Languages: En, dUT\n`, theirs: 'valid' },
  { origin: `${S}::test_prec_ws`, scope: 'line', text: 'Contact : mailto:me@example.com\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.syntax.whitespace_before_colon' },
  { origin: `${S}::test_empty_key`, scope: 'line', text: ': mailto:me@example.com\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.syntax.empty_field_name' },
  { origin: `${S}::test_empty_key2`, scope: 'line', text: ' : mailto:me@example.com\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.syntax.leading_whitespace' },
  { origin: `${S}::test_missing_space`, scope: 'line', text: 'Contact:mailto:me@example.com\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.syntax.missing_space' },
  { origin: `${S}::test_missing_value`, scope: 'line', text: 'Contact: \n# Wow\n', theirs: 'invalid', ours: 'securitytxt.syntax.empty_value' },
  { origin: `${S}::test_no_https`, scope: 'line', text: 'Contact: http://example.com/contact\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.contact.insecure_uri' },
  { origin: `${S}::test_no_uri`, scope: 'line', text: 'Contact: me@example.com\n# Wow\n', theirs: 'invalid', ours: 'securitytxt.contact.invalid' },
  { origin: `${S}::test_signed`, scope: 'file', text: SIGNED, theirs: 'valid' },
  { origin: `${S}::test_signed_invalid_pgp (no signature header)`, scope: 'file', text: SIGNED.replace('-----BEGIN PGP SIGNATURE-----', ''), theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  { origin: `${S}::test_signed_invalid_pgp (dash-escape in signature)`, scope: 'file', text: SIGNED.replace('-----BEGIN PGP SIGNATURE-----', '-----BEGIN PGP SIGNATURE-----\n- \n'), theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  {
    origin: `${S}::test_signed_invalid_pgp (broken base64)`,
    scope: 'file',
    text: SIGNED.replace('wpwEAQEIABAFAmTHcawJEDs4gPMoG10dAACN5wP/UozhFqHcUWRNhg4KwfY4', 'wpwEAQEIABAFAmTH').replace('HHXU8bf222naeYJHgaHadLTJJ8YQIQ9N5fYF7K4BM0jPZc48aaUPaBdhNxw+', 'HHXU8bf222naeYJHga'),
    theirs: 'invalid',
    ours: 'securitytxt.signature.malformed',
  },
  { origin: `${S}::test_signed_no_canonical`, scope: 'file', text: SIGNED.replace('Canonical: https://example.com/.well-known/security.txt', ''), theirs: 'valid' },
  { origin: `${S}::test_signed_dash_escaped`, scope: 'file', text: SIGNED.replace('Expires', '- Expires'), theirs: 'valid' },
  { origin: `${S}::test_pgp_signed_formatting`, scope: 'file', text: `\r\n${SIGNED}`, theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  {
    origin: `${S}::test_unknown_fields`,
    scope: 'file',
    text: 'Expires: {SOON}\nContact: mailto:security@example.com\nLast-updated: {date.today().isoformat()}T12:00:00z\nUnknown: value\nEncryption: https://example.com/pgp-key.txt\n',
    theirs: 'valid',
  },
  { origin: `${S}::test_no_line_separators (one line)`, scope: 'file', text: 'Contact: mailto:security@example.com  Expires: {SOON}  # All on a single line', theirs: 'invalid', ours: 'securitytxt.contact.invalid' },
  { origin: `${S}::test_no_line_separators (no final LF)`, scope: 'file', text: 'line 1\nline 2\nline 3\nContact: mailto:security@example.com  Expires', theirs: 'invalid', ours: 'securitytxt.syntax.no_final_newline' },
  { origin: `${S}::test_csaf_https_uri`, scope: 'file', text: SIGNED.replace('CSAF: https://', 'CSAF: http://'), theirs: 'invalid', ours: 'securitytxt.field.insecure_uri' },
  { origin: `${S}::test_csaf_provider_file`, scope: 'file', text: SIGNED.replace('provider-metadata.json', 'other_provider_name.json'), theirs: 'invalid', ours: 'securitytxt.csaf.invalid' },
  { origin: `${S}::test_multiple_csaf_notification`, scope: 'file', text: SIGNED.replace('# CSAF link', '# CSAF link\nCSAF: https://example2.com/.well-known/csaf/provider-metadata.json'), theirs: 'valid' },
  { origin: `${S}::test_multiple_signed_messages`, scope: 'file', text: SIGNED.replace('-----BEGIN PGP SIGNATURE-----', '-----BEGIN PGP SIGNATURE-----\n-----BEGIN PGP SIGNATURE-----'), theirs: 'invalid', ours: 'securitytxt.signature.malformed' },
  {
    origin: `${S}::test_contact_field_properties`,
    scope: 'file',
    text: SIGNED.replace('Contact: mailto:security@example.com', 'Contact: mailto:security@example.com\nContact: mailto:security%2Buri%2Bencoded@example.com\nContact: mailto:not_a_valid_email\nContact: tel:+1-201-555-0123\nContact: https://example.com/security-contact.html'),
    theirs: 'valid',
  },
  { origin: `${S}::test_valid_security_txt`, scope: 'file', text: 'Contact: mailto:me@example.com\nExpires: {SOON}\n', theirs: 'valid' },
  { origin: `${S}::test_byte_order_mark_parser`, scope: 'file', text: '\uFEFF\uFEFFContact: mailto:me@example.com\nExpires: {SOON}\n', theirs: 'invalid', ours: 'securitytxt.syntax.not_a_field' },
  { origin: `${S}::test_too_many_final_newlines_signed`, scope: 'file', text: `${SIGNED}\n`, theirs: 'invalid', ours: 'securitytxt.signature.malformed' },

  { origin: `${P}::testParseStringExpiresField (expired)`, scope: 'file', text: 'Contact: https://example.com/\nExpires: {PAST}\nHiring: https://com.example\n', theirs: 'invalid', ours: 'securitytxt.expires.expired' },
  { origin: `${P}::testParseStringExpiresField (not expired)`, scope: 'file', text: 'Contact: https://example.com/\nExpires: {FUT}\nHiring: https://com.example\n', theirs: 'valid' },
  { origin: `${P}::testParseStringExpiresFieldWrongFormat`, scope: 'line', text: 'Expires: 4020-10-05 03:21:00 Europe/Prague\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringExpiresFieldWrongUnknownFormat (+3 weeks)`, scope: 'line', text: 'Expires: +3 weeks\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringExpiresFieldWrongUnknownFormat (±3 days)`, scope: 'line', text: 'Expires: ±3 days\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringExpiresFieldOldFormat`, scope: 'file', text: 'Expires: {RFC2822}\nContact: mailto:foo@example.com\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringMissingExpires`, scope: 'file', text: 'Contact: https://example.com/\nHiring: https://com.example\n#Expires: 2020-10-05T10:20:30+00:00\nExpires\n', theirs: 'invalid', ours: 'securitytxt.expires.missing' },
  { origin: `${P}::testParseStringMultipleExpires`, scope: 'file', text: 'Contact: https://example.com/\nExpires: {FUT}\nExpires: {FUT2}\nHiring: https://com.example/\n', theirs: 'invalid', ours: 'securitytxt.field.duplicate' },
  { origin: `${P}::testParseStringMultipleExpiresAllWrong`, scope: 'file', text: 'Contact: https://example.com/\nExpires: Mon, 15 Aug 2005 15:52:01 +0000\nExpires: Mon, 15 Aug 2015 15:52:01 +0000\nHiring: https://com.example/\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringMultipleExpiresFirstWrong`, scope: 'file', text: 'Contact: https://example.com/\nExpires: Mon, 15 Aug 2005 15:52:01 +0000\nExpires: {FUT}\nHiring: https://com.example/\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${P}::testParseStringMultipleExpiresFirstCorrect`, scope: 'file', text: 'Contact: https://example.com/\nExpires: {FUT}\nExpires: Mon, 15 Aug 2005 15:52:01 +0000\nHiring: https://com.example/\n', theirs: 'invalid', ours: 'securitytxt.field.duplicate' },
  { origin: `${P}::testParseMultipleFiles`, scope: 'file', text: 'Contact: mailto:foo@bar.example\nExpires: {FUT}\n', theirs: 'valid' },
  { origin: `${P}::testParseStringExpiresTooLong`, scope: 'file', text: 'Contact: mailto:bar@foo.example\nExpires: {FAR}\n', theirs: 'valid' },
  { origin: `${P}::testParseStringMissingContact`, scope: 'file', text: 'Acknowledgments: https://example.com/\nHiring: https://com.example/\n', theirs: 'invalid', ours: 'securitytxt.contact.missing' },
  { origin: `${P}::testParseStringNoEol`, scope: 'file', text: 'Expires: {FUT}\nContact: https://foo.example/', theirs: 'invalid', ours: 'securitytxt.syntax.no_final_newline' },
  { origin: `${P}::testParseStringPreferredLanguages`, scope: 'file', text: 'Contact: mailto:foo@bar.example\nExpires: {FUT}\nPreferred-Languages: en,CS\n', theirs: 'valid' },
  { origin: `${P}::testParseStringMultiplePreferredLanguages`, scope: 'line', text: 'Preferred-Languages: en\nPreferred-Languages: cs\n', theirs: 'invalid', ours: 'securitytxt.field.duplicate' },
  { origin: `${P}::testParseStringPreferredLanguagesBadSeparator (1)`, scope: 'line', text: 'Preferred-Languages: en, cs;fi. nl\n', theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${P}::testParseStringPreferredLanguagesBadSeparator (2)`, scope: 'line', text: 'Preferred-Languages: en, cs; fi, nl\n', theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${P}::testParseStringPreferredLanguagesCommonMistake (CZ)`, scope: 'line', text: 'Preferred-Languages: CZ,en\n', theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${P}::testParseStringPreferredLanguagesCommonMistake (CZ-Czechia)`, scope: 'line', text: 'Preferred-Languages: CZ-Czechia,en\n', theirs: 'invalid', ours: 'securitytxt.language.invalid' },
  { origin: `${P}::testParseStringAcknowledgments`, scope: 'line', text: 'Acknowledgments: https://example.com/ack.gif\n', theirs: 'valid' },
  { origin: `${P}::testParseStringAcknowledgementsTypo`, scope: 'line', text: 'Acknowledgments: https://example.example/whole-of-fame\nAcknowledgements: https://example.com/ack.gif\n', theirs: 'valid' },
  { origin: `${P}::testParseStringHiring`, scope: 'line', text: 'Hiring: https://example.com/cv.psd\n', theirs: 'valid' },
  { origin: `${P}::testParseStringPolicy`, scope: 'line', text: 'Policy: https://example.com/policy.pcx\n', theirs: 'valid' },
  { origin: `${P}::testParseStringEncryption`, scope: 'line', text: 'Encryption: https://example.com/keys.ico\n', theirs: 'valid' },
  { origin: `${P}::testParseStringCsaf (HTTP)`, scope: 'line', text: 'CSAF: HTTP://example.net/\n', theirs: 'invalid', ours: 'securitytxt.field.insecure_uri' },
  { origin: `${P}::testParseStringCsaf (https)`, scope: 'line', text: 'CSAF: https://example.net/data/provider-metadata.json\n', theirs: 'valid' },
  { origin: `${P}::testParseStringUnknownField`, scope: 'file', text: 'Foo: bar\nHash: file-not-signed-0123\nContact: https://example.com/\nExpires: {FUT}\n', theirs: 'valid' },
  { origin: `${P}::testParseStringSignedFile`, scope: 'file', text: SPAZE_SIGNED, theirs: 'valid' },
  {
    origin: `${P}::testParseStringSignedFileDamaged`,
    scope: 'file',
    text: SPAZE_SIGNED.replace(/-----BEGIN PGP SIGNATURE-----[^]*-----END/, '-----BEGIN PGP SIGNATURE-----\nyes, but\n-----END'),
    theirs: 'valid',
    deliberate: 'spaze only warns that it cannot verify; RFC 9116 §4 requires signature-data to be base64 lines after a blank line, so pengawas fails the framing whatever the key',
    ours: 'securitytxt.signature.malformed',
  },
  { origin: `${P}::testParseStringUriNotHttps`, scope: 'line', text: 'Contact: HTTP://EXAMPLE.COM/\n', theirs: 'invalid', ours: 'securitytxt.contact.insecure_uri' },
  { origin: `${P}::testParseFetchResult`, scope: 'line', text: 'Contact: mailto:example@example.com\r\nExpires: {FUT}\n', theirs: 'valid' },

  { origin: `${PF} (DATE_RFC3339)`, scope: 'line', text: 'Expires: {FUT_OFFSET}\n', theirs: 'valid' },
  { origin: `${PF} (DATE_RFC3339_EXTENDED)`, scope: 'line', text: 'Expires: {FUT_MS}\n', theirs: 'valid' },
  { origin: `${PF} (DATE_RFC2822)`, scope: 'line', text: 'Expires: {RFC2822}\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${PF} (DATE_RFC850)`, scope: 'line', text: 'Expires: {RFC850}\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
  { origin: `${PF} (Y-m-d H:i:s)`, scope: 'line', text: 'Expires: {SPACED}\n', theirs: 'invalid', ours: 'securitytxt.expires.invalid' },
];
