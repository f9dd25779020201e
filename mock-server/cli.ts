/**
 * The `dcr-mockbank` command: the mock bank server, and its tools as subcommands.
 *
 *   dcr-mockbank [options]                 start the mock bank (see --help)
 *   dcr-mockbank mint-ssa [options]        mint an SSA from a running mock's directory
 *   dcr-mockbank sign-request [options]    sign a registration request JWT
 *   dcr-mockbank certs [dir]               generate the test CA and certificates
 *   dcr-mockbank directory [options]       run only the mock directory (banks trust it by DIRECTORY_URL)
 */
async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'mint-ssa' || command === 'mint' || command === 'sign-request') {
    const { main: directoryMain } = await import('./directory/cli');
    process.exitCode = await directoryMain([command, ...rest]);
    return;
  }
  if (command === 'certs') {
    const { certsMain } = await import('./tls/certs-cli');
    process.exitCode = await certsMain(rest);
    return;
  }
  if (command === 'directory') process.argv.splice(2, 1, '--role', 'directory');
  // The server reads process.argv itself (and prints its --help, which lists these subcommands).
  await import('./server');
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(1);
});
