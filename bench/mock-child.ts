/**
 * A mock bank in its own process for the benches: started in memory (fresh certificates), it
 * sends the pack's target for itself over IPC, then serves until disconnected.
 */
import { startMockBank } from '../mock-server/runtime';
import { mockTarget } from '../integration/mock-target';

const bank = await startMockBank({ logLevel: 'silent' });
process.send!({ target: mockTarget(bank) });
process.on('disconnect', () => {
  void bank.close().then(() => process.exit(0));
});
