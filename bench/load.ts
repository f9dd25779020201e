/**
 * The bench's load generator, run as a child process so that its own TLS and HTTP work does not
 * share an event loop with the server under test. It receives one round at a time over IPC:
 * the URL, the signed bodies and the TLS credentials; it answers with the latencies.
 */
import https from 'node:https';

export interface Round {
  url: string;
  bodies: string[];
  concurrency: number;
  tls: { ca: string; cert: string; key: string };
  /** Default application/jose. */
  contentType?: string;
  /** The status of a success: default 201. */
  expect?: number;
}

export interface RoundResult {
  seconds: number;
  latencies: number[];
  failed: number;
}

const agents = new Map<string, https.Agent>();

function agentFor(round: Round): https.Agent {
  // One agent per host and concurrency: an agent's maxSockets is fixed when it is made.
  const key = `${new URL(round.url).host}|${round.concurrency}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: round.concurrency, ...round.tls });
    agents.set(key, agent);
  }
  return agent;
}

async function run(round: Round): Promise<RoundResult> {
  const agent = agentFor(round);
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const one = (body: string, t = process.hrtime.bigint(), retried = false) =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(round.url, { method: 'POST', agent, headers: { 'content-type': round.contentType ?? 'application/jose', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== (round.expect ?? 201)) failed++;
          resolve(Number(process.hrtime.bigint() - t) / 1e6);
        });
      });
      // A kept-alive connection the server closed as idle (between rounds) while this request
      // went out on it: sent again once, on a new connection, as Node's documentation advises.
      req.on('error', (e: NodeJS.ErrnoException) => (req.reusedSocket && e.code === 'ECONNRESET' && !retried ? one(body, t, true).then(resolve, reject) : reject(e)));
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: round.concurrency }, async () => {
      while (next < round.bodies.length) latencies.push(await one(round.bodies[next++]!));
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies, failed };
}

process.on('message', (round: Round) => {
  run(round).then(
    (result) => process.send!(result),
    (e: Error) => process.send!({ error: `${e.message} (${round.url}, concurrency ${round.concurrency})` }),
  );
});
process.on('disconnect', () => {
  for (const a of agents.values()) a.destroy();
  process.exit(0);
});
