/** `--accounts FILE`, read and checked before anything is sent. */
import { readFile } from 'node:fs/promises';
import { readErrorText } from '../errors.js';
import { parseAccountsFile, type AccountAccessEntry } from '../input/accounts-file.js';
import { AccountSetupError } from './account-setup-error.js';

/** The accounts file's entries by account, or undefined without one; an AccountSetupError names every problem with its line. */
export async function readAccountsFile(path: string | undefined): Promise<ReadonlyMap<string, AccountAccessEntry> | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AccountSetupError('ACCOUNTS_FILE_UNREADABLE', `--accounts '${path}': ${readErrorText(error)}; nothing was sent`);
  }
  const parsed = parseAccountsFile(text, path);
  if ('problems' in parsed) {
    const lines = [`--accounts ${path} is not a valid accounts file; nothing was sent:`, ...parsed.problems.map((p) => `  ${p}`)];
    throw new AccountSetupError('ACCOUNTS_FILE_INVALID', lines.join('\n'));
  }
  return parsed.entries;
}
