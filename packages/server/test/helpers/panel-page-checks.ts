import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What every state of a panel page must hold (every page of `admin-i18n.test.ts`, every state of `admin-program-forms.test.ts`): nothing
 * scrolls sideways, on a phone every visible button and field is at least 44 px high, and axe-core
 * reports no serious or critical violation.
 */
export async function checkPanelPage(page: Page, name: string, width: number): Promise<void> {
  const overflow = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > client + 0.5 && e.children.length === 0)
      .slice(0, 5)
      .map((e) => e.outerHTML.slice(0, 100));
    return { scroll: document.documentElement.scrollWidth, client, wide };
  });
  expect(overflow.scroll, `${name}: horizontal overflow by ${overflow.wide.join(' | ')}`).toBeLessThanOrEqual(
    overflow.client,
  );
  if (width <= 390) {
    const small = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio])'))
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => ({ what: e.outerHTML.slice(0, 80), h: e.getBoundingClientRect().height }))
        .filter((e) => e.h < 44),
    );
    expect(small, `${name}: tap targets under 44 px`).toEqual([]);
  }
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return (
      result.violations as { id: string; impact: string; nodes: { target: string[]; html: string }[] }[]
    )
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html}`).join(', ')}`,
      );
  });
  expect(violations, `${name}: axe`).toEqual([]);
}
