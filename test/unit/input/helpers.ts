import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { HeaderMap } from '../../../src/input/types.js';

export const ACCOUNT = '123456789012';
export const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
export const CAROL = `arn:aws:iam::${ACCOUNT}:user/carol`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/SCLaunchRole-Platform`;
export const HEADER = 'provisioned_product_id,new_owner,launch_role';

export const STANDARD_HEADER: HeaderMap = {
  columns: ['provisioned_product_id', 'new_owner', 'launch_role'],
  idColumn: 'provisioned_product_id',
  ownerColumn: 'new_owner',
  launchRoleColumn: 'launch_role',
  extraColumns: [],
};

/** A temporary directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sc-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
/** Writes `content` to a new file in `dir`; returns its path. */
export function writeCsv(dir: string, content: string | Buffer, name = `f${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
