/** sc-owner-transfer's version, from its package.json (printed by --version, kept in the ledger). */
import { readFileSync } from 'node:fs';

export function toolVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
