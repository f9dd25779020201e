import type https from 'node:https';
import type { SentRequest } from '../conformance/session';

/** Sends one recorded request on the agent: true when answered, false on a transport failure. */
export function replay(r: SentRequest, agent: https.Agent): Promise<boolean>;
