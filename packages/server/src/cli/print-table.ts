/** Rows as aligned columns under a header, for the list commands' human output. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** One JSON document on one line, or the table; an empty list says so in words. */
export function printList<T>(
  items: readonly T[],
  options: { json?: boolean | undefined; empty: string },
  header: readonly string[],
  row: (item: T) => readonly string[],
): void {
  if (options.json) process.stdout.write(JSON.stringify(items) + '\n');
  else if (items.length === 0) process.stdout.write(options.empty + '\n');
  else process.stdout.write(formatTable(header, items.map(row)));
}
