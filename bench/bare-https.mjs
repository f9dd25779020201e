// The baseline of bench/startup.ts: a bare node:https server with the mock's certificates, plain
// JavaScript started by plain node (as the published dcr-mockbank is), answering every request with {}.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [port, dir] = process.argv.slice(2);
https
  .createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  })
  .listen(Number(port), '127.0.0.1');
