/**
 * Why the accounts of a run or a plan cannot be set up. Every one is a usage problem (the
 * commands turn it into exit 2): found before anything is sent, and fixed by the operator.
 */
import { CodedError } from '../coded-error.js';

export type AccountSetupCode =
  /** `--accounts FILE` cannot be read. */
  | 'ACCOUNTS_FILE_UNREADABLE'
  /** `--accounts FILE` is not a valid accounts file (every problem with its line in the message). */
  | 'ACCOUNTS_FILE_INVALID'
  /** The input has rows of an account not among `--expect-account`. */
  | 'UNEXPECTED_ACCOUNT'
  /** The credentials act in an account not among `--expect-account`. */
  | 'WRONG_ACCOUNT'
  /** `--expect-account` given, but STS could not say whose the credentials are. */
  | 'CALLER_UNKNOWN'
  /** The input names regions, which only a run across accounts follows. */
  | 'REGION_NEEDS_ACCOUNTS';

export class AccountSetupError extends CodedError<AccountSetupCode> {}
