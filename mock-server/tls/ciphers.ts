import type { SecureContextOptions, TlsOptions } from 'node:tls';

/**
 * FAPI 1.0 Advanced 8.5: with TLS 1.2 the server "shall only permit" these cipher suites
 * (TLS_DHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
 * TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384), in OpenSSL's names.
 */
export const FAPI_TLS12_CIPHERS = [
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
] as const;

/** TLS 1.3 (RFC 8446) suites, all AEAD: OpenSSL's defaults, allowed as they are. */
export const TLS13_CIPHERS = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

/**
 * The server side of the mock's TLS: TLS 1.2 or 1.3 only, and with 1.2 only the FAPI suites
 * (Node's default list also offers CBC suites such as AES128-SHA). `dhparam: 'auto'` gives the
 * DHE suites OpenSSL's well-known group matching the key size; without it they are never chosen.
 */
export const SERVER_TLS_OPTIONS: Pick<TlsOptions & SecureContextOptions, 'minVersion' | 'ciphers' | 'honorCipherOrder' | 'dhparam'> = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_CIPHERS, ...FAPI_TLS12_CIPHERS].join(':'),
  honorCipherOrder: true,
  dhparam: 'auto',
};
