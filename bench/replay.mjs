// Sends one recorded request (conformance/session.ts SentRequest) with node:https and nothing else,
// on the given agent; resolves true when answered, false on a transport failure. Plain JavaScript:
// the bench's floor (bench/pack-run.ts) and the bare script in a fresh process
// (bench/bare-replay.mjs) both send requests this way.
import https from 'node:https';

export function replay(r, agent) {
  return new Promise((resolve) => {
    const req = https.request(
      r.url,
      { method: r.method, headers: r.headers, agent, ...(r.ca ? { ca: r.ca } : {}), ...(r.client ? { cert: r.client.cert, key: r.client.key } : {}), rejectUnauthorized: !r.insecure },
      (res) => {
        res.resume();
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(false));
      },
    );
    req.on('error', () => resolve(false));
    req.end(r.body);
  });
}
