import type { Router } from 'express';
import type { AppDeps } from '../app';
import { verifyObfRegistration } from '../core/obf';
import { rfc7591Routes } from './rfc7591';

/**
 * The obf dialect (Open Finance Brasil DCR 1.0): the RFC 7591 / 7592 routes with the OBF verifier,
 * and mutual TLS on every operation ("shall reject dynamic client registration requests not
 * performed over a connection secured with mutual tls"; management: "Carry out the validations of
 * sub-items 1, 3, 4, and 6", the certificate chain first).
 */
export function obfRoutes(deps: AppDeps): Router {
  return rfc7591Routes(deps, { verify: verifyObfRegistration, mtlsManagement: true });
}
