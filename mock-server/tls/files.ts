import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { ConfigError, type MockBankConfig } from '../config';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readPem(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${name} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Every PEM certificate of a file, each parsed: none, or one that does not parse, is an error naming the setting. */
function certificates(name: string, file: string, pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${name} ${file}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (e) {
      throw new ConfigError(`${name} ${file}: certificate ${i + 1} does not parse (${(e as Error).message})`);
    }
  });
}

function privateKey(name: string, file: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new ConfigError(`${name} ${file}: is not an unencrypted PEM private key (${(e as Error).message})`);
  }
}

/** TLS_CLIENT_CA: the PEM of each file, each checked to hold only certificates that parse. */
export function readClientCas(files: readonly string[]): string[] {
  return files.map((f) => {
    const pem = readPem('TLS_CLIENT_CA', f);
    certificates('TLS_CLIENT_CA', f, pem);
    return pem;
  });
}

/**
 * The configured TLS files, checked before anything listens: TLS_CERT and TLS_KEY together, a
 * certificate that parses, a key that parses and matches it, client CAs that parse. Each problem
 * is a ConfigError naming the variable (without these checks a garbage TLS_CLIENT_CA was ignored
 * by OpenSSL and the server started without the CA the user meant to trust).
 */
export function readTlsFiles(config: Pick<MockBankConfig, 'tlsCertFile' | 'tlsKeyFile' | 'clientCaFiles'>): { cert?: string; key?: string; clientCas: string[] } {
  const { tlsCertFile, tlsKeyFile } = config;
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new ConfigError(tlsCertFile === undefined ? 'TLS_KEY is set without TLS_CERT: give both, or neither to use the generated server certificate' : 'TLS_CERT is set without TLS_KEY: give both, or neither to use the generated server certificate');
  }
  const clientCas = readClientCas(config.clientCaFiles);
  if (tlsCertFile === undefined || tlsKeyFile === undefined) return { clientCas };
  const cert = readPem('TLS_CERT', tlsCertFile);
  const [leaf] = certificates('TLS_CERT', tlsCertFile, cert);
  const key = readPem('TLS_KEY', tlsKeyFile);
  if (!leaf!.checkPrivateKey(privateKey('TLS_KEY', tlsKeyFile, key))) {
    throw new ConfigError(`TLS_KEY ${tlsKeyFile}: does not match the certificate of TLS_CERT ${tlsCertFile} (${leaf!.subject.replace(/\n/g, ', ')})`);
  }
  return { cert, key, clientCas };
}
