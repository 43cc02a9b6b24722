/** Temporary folders with input CSVs, and readers for what the CLI leaves behind. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ProductSnapshot } from '../../../src/emulator/index.js';

export interface Workspace {
  readonly dir: string;
  path(name: string): string;
  writeCsv(name: string, header: readonly string[], rows: readonly (readonly string[])[]): Promise<string>;
  readResults(name: string): Promise<Array<Record<string, string>>>;
  remove(): Promise<void>;
}

export async function createWorkspace(prefix = 'sot-e2e-'): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    async writeCsv(name, header, rows) {
      const quote = (cell: string) => (/[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
      const text = [header, ...rows].map((row) => row.map(quote).join(',')).join('\n') + '\n';
      const path = join(dir, name);
      await writeFile(path, text, 'utf8');
      return path;
    },
    async readResults(name) {
      return parse<Record<string, string>>(await readFile(join(dir, name), 'utf8'), { columns: true });
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Rows moving every given product to `owner` (and optionally a launch role). */
export function transferRows(products: readonly ProductSnapshot[], owner: string, launchRole = ''): string[][] {
  return products.map((p) => [p.id, owner, launchRole]);
}

export const CSV_HEADER = ['provisioned_product_id', 'new_owner', 'launch_role'] as const;
