/** Finding messages per finding id in English and Bahasa Indonesia; `*` stands for one dotted segment, shown as `{0}`. */
import type { Lang } from './i18n';

export interface CatalogueEntry {
  en: string;
  id: string;
}

/**
 * One sentence per finding id, general enough for every result that carries it; the probe's own message (English,
 * with the measured values) stays in findings.csv. test/evidence/catalogue.test.ts enumerates the ids the probe
 * sources can emit and fails on any missing here.
 */
export const FINDING_CATALOGUE: Record<string, CatalogueEntry> = {
  // http (and the same assertions inside transaction steps)
  'http.body.too_large': { en: 'The response body exceeds the size limit.', id: 'Isi respons melebihi batas ukuran.' },
  'http.latency.degraded': {
    en: 'The response was slower than the degraded threshold.',
    id: 'Respons lebih lambat dari ambang batas penurunan kinerja.',
  },
  'http.latency.too_slow': { en: 'The response was slower than the failure limit.', id: 'Respons lebih lambat dari batas kegagalan.' },
  'http.redirect.too_many': { en: 'Too many redirects.', id: 'Terlalu banyak pengalihan (redirect).' },
  'http.status.unexpected': {
    en: 'The HTTP status code is not the expected one.',
    id: 'Kode status HTTP tidak sesuai dengan yang diharapkan.',
  },
  'http.tls.certificate_invalid': { en: 'The server certificate was rejected.', id: 'Sertifikat server ditolak.' },
  'http.tls.not_used': { en: 'The connection does not use TLS.', id: 'Koneksi tidak menggunakan TLS.' },
  'http.tls.unexpected': { en: 'TLS is used where it was not expected.', id: 'TLS digunakan padahal tidak diharapkan.' },
  '*.json.invalid': { en: 'The response body is not valid JSON.', id: 'Isi respons bukan JSON yang valid.' },
  '*.json.assertion_failed': {
    en: 'A value in the JSON response does not meet its assertion.',
    id: 'Sebuah nilai dalam respons JSON tidak memenuhi asersinya.',
  },
  '*.header.present': { en: 'A header that must be absent is present.', id: 'Header yang seharusnya tidak ada ternyata ada.' },
  '*.header.missing': { en: 'A required header is missing.', id: 'Header yang diwajibkan tidak ada.' },
  '*.header.mismatch': { en: 'A header does not have the expected value.', id: 'Nilai header tidak sesuai dengan yang diharapkan.' },
  '*.body.regex_missing': {
    en: 'The response body does not contain the required text.',
    id: 'Isi respons tidak memuat teks yang diwajibkan.',
  },
  '*.body.regex_forbidden': { en: 'The response body contains forbidden text.', id: 'Isi respons memuat teks yang dilarang.' },
  // transaction
  'transaction.auth.no_token': { en: 'The token response carries no access token.', id: 'Respons token tidak memuat token akses.' },
  'transaction.body.too_large': { en: 'A response body exceeds the size limit.', id: 'Isi sebuah respons melebihi batas ukuran.' },
  'transaction.cleanup.failed': { en: 'A cleanup step failed.', id: 'Langkah pembersihan gagal.' },
  'transaction.extract.missing': {
    en: 'A value to carry to the next step is missing from the response.',
    id: 'Nilai yang diteruskan ke langkah berikutnya tidak ada dalam respons.',
  },
  'transaction.flow.completed': { en: 'The transaction flow completed.', id: 'Alur transaksi selesai.' },
  'transaction.status.unexpected': {
    en: 'A step answered with an unexpected HTTP status.',
    id: 'Sebuah langkah menjawab dengan status HTTP yang tidak diharapkan.',
  },
  'transaction.step.too_slow': {
    en: 'A step was slower than its failure limit.',
    id: 'Sebuah langkah lebih lambat dari batas kegagalannya.',
  },
  'transaction.step.degraded': {
    en: 'A step was slower than its degraded threshold.',
    id: 'Sebuah langkah lebih lambat dari ambang batas penurunan kinerjanya.',
  },
  'transaction.flow.too_slow': {
    en: 'The whole flow was slower than its failure limit.',
    id: 'Keseluruhan alur lebih lambat dari batas kegagalannya.',
  },
  'transaction.flow.degraded': {
    en: 'The whole flow was slower than its degraded threshold.',
    id: 'Keseluruhan alur lebih lambat dari ambang batas penurunan kinerjanya.',
  },
  'transaction.*.too_slow': {
    en: 'The transaction was slower than its failure limit.',
    id: 'Transaksi lebih lambat dari batas kegagalannya.',
  },
  'transaction.*.degraded': {
    en: 'The transaction was slower than its degraded threshold.',
    id: 'Transaksi lebih lambat dari ambang batas penurunan kinerjanya.',
  },
  // tls
  'tls.addresses.inconsistent': {
    en: 'The addresses of the host do not serve the same TLS configuration.',
    id: 'Alamat-alamat host tidak menyajikan konfigurasi TLS yang sama.',
  },
  'tls.addresses.unavailable': { en: 'An address of the host could not be scanned.', id: 'Sebuah alamat host tidak dapat dipindai.' },
  'tls.cert.chain_expired': {
    en: 'A certificate in the chain is outside its validity period.',
    id: 'Sebuah sertifikat dalam rantai berada di luar masa berlakunya.',
  },
  'tls.cert.chain_incomplete': {
    en: 'The server does not send the complete certificate chain.',
    id: 'Server tidak mengirim rantai sertifikat yang lengkap.',
  },
  'tls.cert.chain_order': {
    en: 'The certificates are not sent in order from leaf to root.',
    id: 'Sertifikat tidak dikirim berurutan dari sertifikat akhir ke akar.',
  },
  'tls.cert.expired': { en: 'The certificate has expired.', id: 'Sertifikat sudah kedaluwarsa.' },
  'tls.cert.expires_soon': { en: 'The certificate expires soon.', id: 'Sertifikat akan segera kedaluwarsa.' },
  'tls.cert.hostname_mismatch': { en: 'The certificate does not cover the host name.', id: 'Sertifikat tidak mencakup nama host.' },
  'tls.cert.intermediate_revocation_unknown': {
    en: 'The revocation status of an intermediate certificate could not be determined.',
    id: 'Status pencabutan sertifikat perantara tidak dapat ditentukan.',
  },
  'tls.cert.intermediate_revoked': { en: 'An intermediate certificate has been revoked.', id: 'Sertifikat perantara telah dicabut.' },
  'tls.cert.not_yet_valid': { en: 'The certificate is not valid yet.', id: 'Sertifikat belum berlaku.' },
  'tls.cert.revocation_unknown': {
    en: 'The revocation status of the certificate could not be determined.',
    id: 'Status pencabutan sertifikat tidak dapat ditentukan.',
  },
  'tls.cert.revoked': { en: 'The certificate has been revoked.', id: 'Sertifikat telah dicabut.' },
  'tls.cert.must_staple_not_stapled': {
    en: 'The certificate demands OCSP stapling (must-staple) but the server staples no OCSP answer.',
    id: 'Sertifikat mewajibkan OCSP stapling (must-staple) tetapi server tidak melampirkan jawaban OCSP.',
  },
  'tls.cert.no_sct': {
    en: 'The certificate carries no signed certificate timestamp (certificate transparency).',
    id: 'Sertifikat tidak membawa signed certificate timestamp (transparansi sertifikat).',
  },
  'tls.session.no_resumption': {
    en: 'The server resumes no TLS session, neither by id nor by ticket.',
    id: 'Server tidak melanjutkan sesi TLS, baik dengan id maupun dengan tiket.',
  },
  'tls.cert.self_signed': { en: 'The certificate is self-signed.', id: 'Sertifikat ditandatangani sendiri.' },
  'tls.cert.sha1_signature': {
    en: 'The chain uses SHA-1 or MD5 signatures.',
    id: 'Rantai sertifikat menggunakan tanda tangan SHA-1 atau MD5.',
  },
  'tls.cert.unavailable': { en: 'The certificate could not be obtained.', id: 'Sertifikat tidak dapat diperoleh.' },
  'tls.cert.untrusted': { en: 'The chain does not end at a trusted root.', id: 'Rantai sertifikat tidak berakhir pada akar tepercaya.' },
  'tls.cert.weak_key': { en: 'The certificate key is too short.', id: 'Kunci sertifikat terlalu pendek.' },
  'tls.cipher.anonymous_suite': {
    en: 'Anonymous cipher suites (no server authentication) are accepted.',
    id: 'Cipher suite anonim (tanpa autentikasi server) diterima.',
  },
  'tls.cipher.cbc_suite': { en: 'CBC-mode cipher suites are accepted.', id: 'Cipher suite mode CBC diterima.' },
  'tls.cipher.des_suite': { en: 'Single-DES or RC2 cipher suites are accepted.', id: 'Cipher suite DES tunggal atau RC2 diterima.' },
  'tls.cipher.export_suite': { en: 'EXPORT-grade cipher suites are accepted.', id: 'Cipher suite kelas EXPORT diterima.' },
  'tls.cipher.no_forward_secrecy': {
    en: 'Cipher suites without forward secrecy are accepted.',
    id: 'Cipher suite tanpa forward secrecy diterima.',
  },
  'tls.cipher.no_server_preference': {
    en: 'The server follows the client’s cipher suite order.',
    id: 'Server mengikuti urutan cipher suite pilihan klien.',
  },
  'tls.cipher.null_suite': {
    en: 'Cipher suites without encryption (NULL) are accepted.',
    id: 'Cipher suite tanpa enkripsi (NULL) diterima.',
  },
  'tls.cipher.rc4_suite': { en: 'RC4 cipher suites are accepted.', id: 'Cipher suite RC4 diterima.' },
  'tls.cipher.sweet32_suite': {
    en: 'Cipher suites with 64-bit blocks (3DES, IDEA) are accepted.',
    id: 'Cipher suite dengan blok 64 bit (3DES, IDEA) diterima.',
  },
  'tls.hsts.missing': { en: 'No Strict-Transport-Security header.', id: 'Tidak ada header Strict-Transport-Security.' },
  'tls.hsts.unchecked': { en: 'HSTS could not be checked.', id: 'HSTS tidak dapat diperiksa.' },
  'tls.kx.weak_dh': {
    en: 'Diffie-Hellman key exchange uses a weak prime.',
    id: 'Pertukaran kunci Diffie-Hellman menggunakan bilangan prima yang lemah.',
  },
  'tls.kx.weak_ecdh': { en: 'Elliptic curves that are too small are accepted.', id: 'Kurva eliptik yang terlalu kecil diterima.' },
  'tls.protocol.sslv2_enabled': { en: 'SSLv2 is accepted.', id: 'SSLv2 diterima.' },
  'tls.protocol.sslv3_enabled': { en: 'SSLv3 is accepted.', id: 'SSLv3 diterima.' },
  'tls.protocol.tls1_0_enabled': { en: 'TLS 1.0 is accepted.', id: 'TLS 1.0 diterima.' },
  'tls.protocol.tls1_1_enabled': { en: 'TLS 1.1 is accepted.', id: 'TLS 1.1 diterima.' },
  'tls.protocol.tls1_3_disabled': { en: 'TLS 1.3 is not offered.', id: 'TLS 1.3 tidak ditawarkan.' },
  'tls.protocol.undecided': {
    en: 'Whether a protocol version is accepted could not be decided (its handshake got no answer); it is not counted as disabled.',
    id: 'Tidak dapat dipastikan apakah suatu versi protokol diterima (handshake-nya tidak dijawab); versi itu tidak dianggap nonaktif.',
  },
  'tls.cipher.enumeration_incomplete': {
    en: 'The enumeration of cipher suites, groups or certificates stopped at an unanswered handshake; more may be accepted.',
    id: 'Enumerasi cipher suite, grup, atau sertifikat terhenti pada handshake yang tidak dijawab; mungkin masih ada yang diterima.',
  },
  'tls.profile.undecided': {
    en: 'Compliance with the TLS profile could not be decided: a rule rests on something the scan could not establish.',
    id: 'Kepatuhan terhadap profil TLS tidak dapat dipastikan: sebuah aturan bergantung pada hal yang tidak dapat dipastikan oleh pemindaian.',
  },
  'tls.starttls.refused': { en: 'The server refused STARTTLS.', id: 'Server menolak STARTTLS.' },
  'tls.vuln.no_fallback_scsv': {
    en: 'The server ignores TLS_FALLBACK_SCSV (downgrade protection).',
    id: 'Server mengabaikan TLS_FALLBACK_SCSV (perlindungan penurunan versi).',
  },
  'tls.vuln.*': { en: 'The server is exposed to the TLS vulnerability {0}.', id: 'Server rentan terhadap kerentanan TLS {0}.' },
  'tls.profile.*': { en: 'The TLS configuration breaks the profile rule {0}.', id: 'Konfigurasi TLS melanggar aturan profil {0}.' },
  // mfa
  'mfa.admin_not_enforced': {
    en: 'A second factor is not enforced for administrators.',
    id: 'Faktor kedua tidak diwajibkan bagi administrator.',
  },
  'mfa.app_not_enforced': {
    en: 'A second factor is not enforced for the application.',
    id: 'Faktor kedua tidak diwajibkan untuk aplikasi.',
  },
  'mfa.bruteforce_protection_off': { en: 'Brute-force protection is off.', id: 'Perlindungan terhadap serangan brute-force tidak aktif.' },
  'mfa.enrolment_action_disabled': {
    en: 'No second-factor enrolment action is enabled.',
    id: 'Tidak ada tindakan pendaftaran faktor kedua yang aktif.',
  },
  'mfa.enrolment_not_default': {
    en: 'New users are not asked to enrol a second factor.',
    id: 'Pengguna baru tidak diminta mendaftarkan faktor kedua.',
  },
  'mfa.enrolment_not_required': { en: 'Second-factor enrolment is not required.', id: 'Pendaftaran faktor kedua tidak diwajibkan.' },
  'mfa.flow_not_enforced': {
    en: 'A login flow does not demand a second factor from every user.',
    id: 'Sebuah alur login tidak mewajibkan faktor kedua bagi setiap pengguna.',
  },
  'mfa.global_session_single_factor': {
    en: 'A global session rule accepts a single factor.',
    id: 'Aturan sesi global menerima satu faktor saja.',
  },
  'mfa.login_second_step_unverified': {
    en: 'The second login step could not be verified.',
    id: 'Langkah login kedua tidak dapat diverifikasi.',
  },
  'mfa.no_strong_method_enabled': {
    en: 'No strong authentication method is enabled.',
    id: 'Tidak ada metode autentikasi kuat yang aktif.',
  },
  'mfa.otp_policy_weak': {
    en: 'The one-time-code policy is weaker than the configured thresholds.',
    id: 'Kebijakan kode sekali pakai lebih lemah dari ambang batas yang ditetapkan.',
  },
  'mfa.password_only_login_succeeded': { en: 'A login with the password alone succeeded.', id: 'Login hanya dengan kata sandi berhasil.' },
  'mfa.policy_exclusions': {
    en: 'The MFA policies for all users have exclusions.',
    id: 'Kebijakan MFA untuk semua pengguna memiliki pengecualian.',
  },
  'mfa.policy_report_only': {
    en: 'An MFA policy is in report-only mode and not enforced.',
    id: 'Kebijakan MFA dalam mode laporan saja dan tidak ditegakkan.',
  },
  'mfa.privileged_scope_empty': {
    en: 'No privileged users were found where the check looks for them.',
    id: 'Tidak ditemukan pengguna istimewa di lokasi yang diperiksa.',
  },
  'mfa.totp_login_failed': {
    en: 'A login with password and a valid one-time code failed.',
    id: 'Login dengan kata sandi dan kode sekali pakai yang valid gagal.',
  },
  'mfa.user_not_enrolled': {
    en: 'A privileged user has no second factor enrolled.',
    id: 'Pengguna istimewa belum mendaftarkan faktor kedua.',
  },
  // openapi
  'openapi.document.too_large': { en: 'The API description exceeds the size limit.', id: 'Dokumen deskripsi API melebihi batas ukuran.' },
  'openapi.document.unavailable': { en: 'The API description cannot be fetched.', id: 'Dokumen deskripsi API tidak dapat diambil.' },
  'openapi.document.unparsable': {
    en: 'The API description is neither JSON nor YAML.',
    id: 'Dokumen deskripsi API bukan JSON maupun YAML.',
  },
  'openapi.document.*': { en: 'The API description breaks the rule {0}.', id: 'Dokumen deskripsi API melanggar aturan {0}.' },
  'openapi.headers.missing': {
    en: 'An operation does not declare the required headers.',
    id: 'Sebuah operasi tidak mendeklarasikan header yang diwajibkan.',
  },
  'openapi.live.not_documented': {
    en: 'A live operation is not in the API description.',
    id: 'Sebuah operasi yang berjalan tidak tercantum dalam deskripsi API.',
  },
  'openapi.live.snap_response_code': {
    en: 'The live API answered without a 7-digit SNAP response code.',
    id: 'API yang berjalan menjawab tanpa kode respons SNAP 7 digit.',
  },
  'openapi.live.undocumented_status': {
    en: 'The live API answered with an undocumented HTTP status.',
    id: 'API yang berjalan menjawab dengan status HTTP yang tidak terdokumentasi.',
  },
  'openapi.operation.missing': {
    en: 'A required operation is not documented.',
    id: 'Sebuah operasi yang diwajibkan tidak terdokumentasi.',
  },
  'openapi.server.insecure': {
    en: 'A server in the API description uses plain HTTP.',
    id: 'Sebuah server dalam deskripsi API menggunakan HTTP tanpa enkripsi.',
  },
  'openapi.valid': { en: 'The API description is valid.', id: 'Deskripsi API valid.' },
  // freshness
  'freshness.date.future': { en: 'The review date is in the future.', id: 'Tanggal tinjauan berada di masa depan.' },
  'freshness.date.unknown': { en: 'The document has no review date.', id: 'Dokumen tidak memiliki tanggal tinjauan.' },
  'freshness.document.malformed': {
    en: 'The document cannot be read as declared.',
    id: 'Dokumen tidak dapat dibaca sesuai format yang dinyatakan.',
  },
  'freshness.evidence.mtime_only': {
    en: 'Only the file modification time dates the document.',
    id: 'Satu-satunya penanda tanggal dokumen adalah waktu perubahan berkas.',
  },
  'freshness.field.invalid_date': { en: 'The review date field is not a date.', id: 'Kolom tanggal tinjauan bukan tanggal.' },
  'freshness.field.missing': { en: 'The document declares no review date.', id: 'Dokumen tidak mencantumkan tanggal tinjauan.' },
  'freshness.review.current': { en: 'The document is current.', id: 'Dokumen mutakhir.' },
  'freshness.review.due_soon': { en: 'The document review is due soon.', id: 'Tinjauan dokumen segera jatuh tempo.' },
  'freshness.review.no_deadline': {
    en: 'The document has a review date and no deadline.',
    id: 'Dokumen memiliki tanggal tinjauan tanpa tenggat.',
  },
  'freshness.review.overdue': { en: 'The document review is overdue.', id: 'Tinjauan dokumen sudah lewat tenggat.' },
  // webpage
  'webpage.body.too_large': { en: 'The page exceeds the size limit.', id: 'Halaman melebihi batas ukuran.' },
  'webpage.hreflang.lang_mismatch': {
    en: 'A linked language version declares another language.',
    id: 'Versi bahasa yang ditautkan menyatakan bahasa lain.',
  },
  'webpage.hreflang.missing': { en: 'A required language version is not linked.', id: 'Versi bahasa yang diwajibkan tidak ditautkan.' },
  'webpage.hreflang.no_return_link': { en: 'A language version does not link back.', id: 'Versi bahasa lain tidak menautkan kembali.' },
  'webpage.hreflang.unreachable': { en: 'A language version cannot be reached.', id: 'Versi bahasa lain tidak dapat diakses.' },
  'webpage.lang.mismatch': {
    en: 'The page declares another language than expected.',
    id: 'Halaman menyatakan bahasa yang berbeda dari yang diharapkan.',
  },
  'webpage.ok': { en: 'The page and its language versions are in order.', id: 'Halaman dan versi bahasanya sesuai.' },
  'webpage.status.unexpected': {
    en: 'The page answers with an unexpected HTTP status.',
    id: 'Halaman menjawab dengan status HTTP yang tidak diharapkan.',
  },
  'webpage.a11y.*': { en: 'The page breaks the accessibility rule {0}.', id: 'Halaman melanggar aturan aksesibilitas {0}.' },
  // securitytxt
  'securitytxt.canonical.mismatch': {
    en: 'Canonical does not name the URL the file was fetched from.',
    id: 'Canonical tidak menyebut URL tempat berkas diambil.',
  },
  'securitytxt.charset': { en: 'The Content-Type names no UTF-8 charset.', id: 'Content-Type tidak menyebut charset UTF-8.' },
  'securitytxt.contact.insecure_uri': {
    en: 'A Contact web address does not use TLS.',
    id: 'Alamat web pada Contact tidak menggunakan TLS.',
  },
  'securitytxt.contact.invalid': { en: 'A Contact is not a URI.', id: 'Sebuah Contact bukan URI.' },
  'securitytxt.contact.missing': { en: 'There is no Contact field.', id: 'Tidak ada kolom Contact.' },
  'securitytxt.content_type': { en: 'security.txt is not served as text/plain.', id: 'security.txt tidak disajikan sebagai text/plain.' },
  'securitytxt.csaf.invalid': {
    en: 'The CSAF field is not a valid provider-metadata URL.',
    id: 'Kolom CSAF bukan URL provider-metadata yang valid.',
  },
  'securitytxt.encoding.bom': { en: 'The file starts with a byte-order mark.', id: 'Berkas diawali penanda BOM.' },
  'securitytxt.expires.expired': { en: 'security.txt has expired.', id: 'security.txt sudah kedaluwarsa.' },
  'securitytxt.expires.invalid': { en: 'Expires is not a valid date-time.', id: 'Expires bukan tanggal-waktu yang valid.' },
  'securitytxt.expires.missing': { en: 'There is no Expires field.', id: 'Tidak ada kolom Expires.' },
  'securitytxt.expires.soon': { en: 'security.txt expires soon.', id: 'security.txt akan segera kedaluwarsa.' },
  'securitytxt.expires.too_far': { en: 'Expires lies too far ahead.', id: 'Expires terlalu jauh di masa depan.' },
  'securitytxt.field.duplicate': {
    en: 'A field that may appear once appears several times.',
    id: 'Kolom yang hanya boleh muncul sekali muncul beberapa kali.',
  },
  'securitytxt.field.insecure_uri': {
    en: 'A web address in a field does not use TLS.',
    id: 'Alamat web pada sebuah kolom tidak menggunakan TLS.',
  },
  'securitytxt.field.invalid_uri': { en: 'A field value is not a URI.', id: 'Nilai sebuah kolom bukan URI.' },
  'securitytxt.field.missing': {
    en: 'A field required by the operator’s policy is missing.',
    id: 'Kolom yang diwajibkan kebijakan operator tidak ada.',
  },
  'securitytxt.language.invalid': {
    en: 'Preferred-Languages is not a list of language tags.',
    id: 'Preferred-Languages bukan daftar tag bahasa.',
  },
  'securitytxt.language.missing': {
    en: 'Preferred-Languages does not list a required language.',
    id: 'Preferred-Languages tidak mencantumkan bahasa yang diwajibkan.',
  },
  'securitytxt.missing': { en: 'There is no security.txt.', id: 'Tidak ada security.txt.' },
  'securitytxt.signature.malformed': { en: 'The OpenPGP signature is malformed.', id: 'Tanda tangan OpenPGP cacat.' },
  'securitytxt.too_large': { en: 'security.txt exceeds the size limit.', id: 'security.txt melebihi batas ukuran.' },
  'securitytxt.transport.not_https': { en: 'security.txt is not served over HTTPS.', id: 'security.txt tidak disajikan melalui HTTPS.' },
  'securitytxt.valid': { en: 'security.txt is valid.', id: 'security.txt valid.' },
  'securitytxt.syntax.*': {
    en: 'Lines break the security.txt grammar ({0}).',
    id: 'Ada baris yang melanggar tata bahasa security.txt ({0}).',
  },
  // attestation
  'attestation.evidence_changed': {
    en: 'The attested evidence file has changed since it was attested.',
    id: 'Berkas bukti yang diatestasi telah berubah sejak diatestasi.',
  },
  'attestation.evidence_unreadable': {
    en: 'The attested evidence file cannot be read to confirm it.',
    id: 'Berkas bukti yang diatestasi tidak dapat dibaca untuk dikonfirmasi.',
  },
  'attestation.expired': { en: 'The attestation has expired.', id: 'Atestasi sudah kedaluwarsa.' },
  'attestation.expires_soon': { en: 'The attestation expires soon.', id: 'Atestasi akan segera kedaluwarsa.' },
  'attestation.missing': { en: 'No attestation is recorded.', id: 'Belum ada atestasi yang tercatat.' },
  'attestation.no_expiry': { en: 'The attestation has no expiry date.', id: 'Atestasi tidak memiliki tanggal kedaluwarsa.' },
  'attestation.stale': { en: 'The attestation is too old.', id: 'Atestasi sudah terlalu lama.' },
  'attestation.valid': { en: 'The attestation is valid.', id: 'Atestasi valid.' },
  // the runner, when a probe could not decide
  'probe.error.*': { en: 'The monitor could not decide ({0}).', id: 'Pemantau tidak dapat memutuskan ({0}).' },
};

const segments = (id: string) => id.split('.');

/** The catalogue entry for a finding id: exact, else a `*` pattern with the same segments; with `{0}` filled in. */
export function catalogueEntry(findingId: string): CatalogueEntry | undefined {
  const exact = FINDING_CATALOGUE[findingId];
  if (exact) return exact;
  const parts = segments(findingId);
  for (const [key, entry] of Object.entries(FINDING_CATALOGUE)) {
    const k = segments(key);
    if (k.length !== parts.length || !k.includes('*')) continue;
    if (!k.every((s, i) => s === '*' || s === parts[i])) continue;
    const wild = parts[k.indexOf('*')];
    return { en: entry.en.replace('{0}', wild), id: entry.id.replace('{0}', wild) };
  }
  return undefined;
}

/** The catalogue sentence in `lang`, or undefined for an id no probe of this version emits (an older or foreign one). */
export function findingMessage(findingId: string, lang: Lang): string | undefined {
  return catalogueEntry(findingId)?.[lang];
}
