/**
 * node-forge's ASN.1 reader and byte buffer, without the rest of the library: `node-forge/lib/asn1` and `lib/util`
 * load 5 modules, the package's index 42 (ciphers, TLS, PKI, …), which every `pengawas probe tls` start paid for.
 * The same functions and objects as `forge.asn1` and `forge.util`.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- node-forge's typings describe its index only */
import type forge from 'node-forge';

export const asn1 = require('node-forge/lib/asn1') as typeof forge.asn1;
export const util = require('node-forge/lib/util') as typeof forge.util;
export type Asn1 = forge.asn1.Asn1;
