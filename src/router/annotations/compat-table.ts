// The README's ingress-nginx annotation table, rendered from the registry (`npm run compat-table` writes it;
// test/router/compat-table.test.ts fails when the README differs), so the table cannot drift from the code.
import type { AnnotationDescriptor, SupportStatus } from './descriptor.ts';
import { annotationRegistry } from './registry.ts';

export const tableStart = '<!-- annotations:start -->';
export const tableEnd = '<!-- annotations:end -->';

const statusLabel: Readonly<Record<SupportStatus, string>> = {
  supported: '✅ supported',
  partial: '◐ partial',
  'not-yet': '❌ not yet',
  never: '⛔ never',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function row(descriptor: AnnotationDescriptor): string {
  const aliases = descriptor.aliases.length === 0 ? '' : ` (alias ${descriptor.aliases.map((a) => `\`${a}\``).join(', ')})`;
  return [
    `\`${descriptor.name}\`${aliases}`,
    statusLabel[descriptor.status],
    descriptor.risk,
    cell(descriptor.doc),
    cell(descriptor.difference),
  ].join(' | ');
}

/** The Markdown between the README markers (markers excluded). */
export function renderCompatTable(): string {
  const counts = (status: SupportStatus): number => annotationRegistry.filter((d) => d.status === status).length;
  const lines = [
    `Generated from \`src/router/annotations/\` by \`npm run compat-table\`: ${counts('supported')} supported, ` +
      `${counts('partial')} partial, ${counts('not-yet')} not yet, ${counts('never')} never. Prefix ` +
      '`nginx.ingress.kubernetes.io/` (`--annotations-prefix`). Risk is ingress-nginx\'s. An annotation that is not ' +
      'supported yet is ignored with a Warning; an unknown one under the prefix gets an Info (typo?); a value ' +
      "ingress-nginx's validator refuses makes the Ingress unserved (Error), as in ingress-nginx, except where " +
      "ingress-nginx's parser falls back to a default instead (proxy-body-size and proxy-*-timeout: the ConfigMap's " +
      'value, with a Warning).',
    '',
    '| Annotation | Status | Risk | What it does | Difference from ingress-nginx |',
    '|---|---|---|---|---|',
    ...annotationRegistry.map((descriptor) => `| ${row(descriptor)} |`),
  ];
  return lines.join('\n');
}

/** README text with the table between the markers replaced; null when the markers are missing. */
export function withCompatTable(readme: string): string | null {
  const start = readme.indexOf(tableStart);
  const end = readme.indexOf(tableEnd);
  if (start === -1 || end < start) return null;
  return `${readme.slice(0, start + tableStart.length)}\n${renderCompatTable()}\n${readme.slice(end)}`;
}
