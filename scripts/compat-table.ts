// `npm run compat-table`: writes the ingress-nginx annotation table into README.md between its markers, from the
// annotation registry (src/router/annotations/compat-table.ts). The test in test/router/compat-table.test.ts
// fails until this has been run after a registry change.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tableEnd, tableStart, withCompatTable } from '../src/router/annotations/compat-table.ts';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = await readFile(readmePath, 'utf8');
const updated = withCompatTable(readme);
if (updated === null) {
  console.error(`compat-table: README.md has no ${tableStart} … ${tableEnd} markers`);
  process.exit(1);
}
if (updated !== readme) await writeFile(readmePath, updated);
console.log(updated === readme ? 'compat-table: README.md is up to date' : 'compat-table: README.md updated');
