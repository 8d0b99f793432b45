/**
 * On a phone every data table is shown as cards (styles.css), each cell preceded by its column's
 * name. The name comes from the table's own header: this copies each `<th>` of the `<thead>` into
 * the `data-label` of the cells below it, for every table the app renders now or later.
 */
function label(table: HTMLTableElement): void {
  const names = Array.from(table.querySelectorAll(':scope > thead > tr > th')).map(
    (th) => th.textContent ?? '',
  );
  if (names.length === 0) return;
  for (const row of Array.from(table.querySelectorAll(':scope > tbody > tr'))) {
    Array.from(row.children).forEach((cell, i) => {
      const name = names[i] ?? '';
      if (cell.getAttribute('data-label') !== name) cell.setAttribute('data-label', name);
    });
  }
}

export function labelTableCells(root: HTMLElement): void {
  const run = () => root.querySelectorAll<HTMLTableElement>('.table-wrap table').forEach(label);
  new MutationObserver(run).observe(root, { childList: true, subtree: true, characterData: true });
  run();
}
