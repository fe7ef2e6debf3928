/**
 * The warning lives in a closed shadow root: page scripts (and Playwright selectors) cannot reach it.
 * Tests read it the way assistive technology does, through the DevTools protocol (DOM with pierce),
 * and operate it with the keyboard only, which also proves it is keyboard-accessible.
 */
import type { Page } from 'playwright-core';

export const WARNING_TAG = 'upload-guard-warning';

export interface WarningView {
  action: 'block' | 'warn';
  /** All text in the dialog, in document order, whitespace-collapsed. */
  text: string;
  role: string | null;
  buttons: string[];
}

/**
 * Waits for the dialog and returns what it shows. `focused: false` reads it without waiting for the
 * focus to move into it (a test that only wants its words, from a tab that may be in the background).
 */
export async function readWarning(page: Page, timeout = 15_000, focused = true): Promise<WarningView> {
  const host = page.locator(WARNING_TAG);
  await host.waitFor({ state: 'attached', timeout });
  // Opening moves focus into the dialog: wait for that too, so the keys a test sends land there.
  if (focused) await page.waitForFunction((tag) => document.activeElement?.localName === tag, WARNING_TAG, { timeout });
  const action = (await host.getAttribute('data-action')) as 'block' | 'warn';
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const el = find(root, (n) => n.localName === WARNING_TAG);
    const texts: string[] = [];
    const buttons: string[] = [];
    let role: string | null = null;
    const walk = (n: DomNode, inButton: boolean) => {
      if (n.nodeName === 'STYLE') return;
      if (n.nodeType === 3 && n.nodeValue?.trim()) {
        texts.push(n.nodeValue.trim());
        if (inButton) buttons.push(n.nodeValue.trim());
      }
      const attrs = n.attributes ?? [];
      for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === 'role') role = attrs[i + 1];
      for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) walk(c, inButton || n.localName === 'button');
    };
    if (el) walk(el, false);
    return { action, text: texts.join(' '), role, buttons };
  } finally {
    await cdp.detach();
  }
}

/** Close a block dialog (Esc). */
export async function dismissWarning(page: Page): Promise<void> {
  // Keys go to the focused tab's focused element: with several tabs open, make this one active.
  await page.bringToFront();
  await page.keyboard.press('Escape');
  await page.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 5_000 });
}

/** Answer a warn dialog: type the justification (focus starts in it) and send with Enter on the button. */
export async function continueWithJustification(page: Page, why: string): Promise<void> {
  await page.bringToFront();
  await page.keyboard.type(why);
  await page.keyboard.press('Tab'); // → the primary button, first after the reason
  await page.keyboard.press('Enter');
  await page.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 5_000 });
}

export async function cancelWarning(page: Page): Promise<void> {
  await page.bringToFront();
  await page.keyboard.press('Escape');
  await page.locator(WARNING_TAG).waitFor({ state: 'detached', timeout: 5_000 });
}

/** A real mouse click on the dialog's control (button, radio label) whose own text is `label`. */
export async function clickInWarning(page: Page, label: string, tag = WARNING_TAG): Promise<void> {
  await page.bringToFront();
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const host = find(root, (n) => n.localName === tag);
    const textOf = (n: DomNode): string => (n.nodeType === 3 ? (n.nodeValue ?? '') : (n.children ?? []).map(textOf).join(''));
    const hit = host && find(host, (n) => (n.localName === 'button' || n.localName === 'label' || n.localName === 'a') && textOf(n).trim() === label);
    if (!hit) throw new Error(`no control "${label}" in the dialog`);
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: hit.backendNodeId })) as { model: { content: number[] } };
    const [x1, y1, , , x3, y3] = model.content;
    await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  } finally {
    await cdp.detach();
  }
}

interface DomNode {
  backendNodeId?: number;
  nodeType: number;
  nodeName: string;
  localName?: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

function find(n: DomNode, pred: (n: DomNode) => boolean): DomNode | null {
  if (pred(n)) return n;
  for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) {
    const hit = find(c, pred);
    if (hit) return hit;
  }
  return null;
}

/**
 * Closes every warning that shows in `page` within `ms` (the default policy blocks); returns how many
 * showed. Warnings queue (one at a time), so the next may open as soon as one closes.
 */
export async function closeWarnings(page: Page, ms: number): Promise<number> {
  let shown = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const focused = await page
      .waitForFunction((tag) => document.activeElement?.localName === tag, WARNING_TAG, { timeout: 200 })
      .then(() => true, () => false);
    if (focused) {
      shown++;
      await page.bringToFront();
      await page.keyboard.press('Escape');
      await page.waitForTimeout(150);
    }
  }
  return shown;
}

/** Whether `cond` holds within `ms`, looked at every 50 ms. */
export async function waitFor(cond: () => boolean, ms = 8_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return cond();
}
