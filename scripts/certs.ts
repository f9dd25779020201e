import { certsMain } from '../mock-server/tls/certs-cli';

// `npm run certs`; the same command is `npx dcr-mockbank certs` from the package.
process.exitCode = await certsMain(process.argv.slice(2));
