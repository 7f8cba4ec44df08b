/** Wire-level numbers of SSL/TLS (RFC 5246, RFC 8446, IANA TLS parameters). */

export const PROTOCOLS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** Every version the scan reports: SSLv2 (its own record format, probed by wire/sslv2.ts) and the versions above. */
export const ALL_PROTOCOLS = ['SSLv2', ...PROTOCOLS] as const;
export type AnyProtocol = (typeof ALL_PROTOCOLS)[number];

export const VERSION_CODE: Record<Protocol, number> = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
};

export function protocolOf(code: number): Protocol | undefined {
  return PROTOCOLS.find((p) => VERSION_CODE[p] === code);
}

export const CONTENT = { alert: 21, handshake: 22 } as const;
export const HS = {
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
} as const;
export const EXT = {
  serverName: 0,
  statusRequest: 5,
  heartbeat: 15,
  signedCertificateTimestamp: 18,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  sessionTicket: 35,
  supportedVersions: 43,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

/** Named groups (IANA "TLS Supported Groups"), with the names Mozilla's guidelines and OpenSSL use. */
export const GROUPS: Record<number, { name: string; bits: number }> = {
  1: { name: 'sect163k1', bits: 163 },
  2: { name: 'sect163r1', bits: 163 },
  3: { name: 'sect163r2', bits: 163 },
  4: { name: 'sect193r1', bits: 193 },
  5: { name: 'sect193r2', bits: 193 },
  6: { name: 'sect233k1', bits: 233 },
  7: { name: 'sect233r1', bits: 233 },
  8: { name: 'sect239k1', bits: 239 },
  9: { name: 'sect283k1', bits: 283 },
  10: { name: 'sect283r1', bits: 283 },
  11: { name: 'sect409k1', bits: 409 },
  12: { name: 'sect409r1', bits: 409 },
  13: { name: 'sect571k1', bits: 571 },
  14: { name: 'sect571r1', bits: 571 },
  15: { name: 'secp160k1', bits: 160 },
  16: { name: 'secp160r1', bits: 160 },
  17: { name: 'secp160r2', bits: 160 },
  18: { name: 'secp192k1', bits: 192 },
  19: { name: 'prime192v1', bits: 192 },
  20: { name: 'secp224k1', bits: 224 },
  21: { name: 'secp224r1', bits: 224 },
  22: { name: 'secp256k1', bits: 256 },
  23: { name: 'prime256v1', bits: 256 },
  24: { name: 'secp384r1', bits: 384 },
  25: { name: 'secp521r1', bits: 521 },
  26: { name: 'brainpoolP256r1', bits: 256 },
  27: { name: 'brainpoolP384r1', bits: 384 },
  28: { name: 'brainpoolP512r1', bits: 512 },
  29: { name: 'X25519', bits: 253 },
  30: { name: 'X448', bits: 448 },
  256: { name: 'ffdhe2048', bits: 2048 },
  257: { name: 'ffdhe3072', bits: 3072 },
  258: { name: 'ffdhe4096', bits: 4096 },
  259: { name: 'ffdhe6144', bits: 6144 },
  260: { name: 'ffdhe8192', bits: 8192 },
  0x11ec: { name: 'X25519MLKEM768', bits: 253 },
};

/** Groups TLS 1.3 allows (no binary or small curves). */
export const TLS13_GROUPS = [29, 23, 24, 25, 30, 256, 257, 258, 259, 260];
/** Every elliptic curve for TLS <= 1.2, so an old server finds the one it supports. */
export const LEGACY_CURVES = [
  29, 23, 24, 25, 30, 26, 27, 28, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
];

/** Signature schemes, strongest first, down to SHA-1 and MD5 so old certificates can still be chosen. */
export const SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302,
  0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
];

/** Alert descriptions worth naming in evidence (RFC 8446 section 6). */
export const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  47: 'illegal_parameter',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};
