/**
 * A second, independently written OBIE DCR v3.3 bank: correct by default, with one switch per
 * realistic wrong implementation, used as a target to prove a conformance tool.
 */
import { listen } from './second-bank/http';
import type { SecondBankOptions } from './second-bank/types';

export { SECOND_BANK_BUGS, SECOND_BANK_BUG_NOTES, SECOND_BANK_BUG_CLASS, type SecondBankBug } from './second-bank/bugs';
export type { SecondBankOptions } from './second-bank/types';

/** HTTPS on 127.0.0.1, an ephemeral port; client certificates requested, their chain checked per endpoint. */
export function startSecondBank(opts: SecondBankOptions): Promise<{ url: string; close(): Promise<void> }> {
  return listen(opts);
}
