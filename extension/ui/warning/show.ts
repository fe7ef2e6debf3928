/**
 * Opens the warning in a CLOSED shadow root on the top document when it is same-origin (a hidden upload
 * iframe must not hide the dialog), one at a time, and resolves with the employee's answer.
 */
import { h, render } from 'preact';
import type { WarnAnswer, WarnItem, WarnRequest } from '../../../src/guard/index.js';
import { NO_GUIDANCE, type PageView } from '../../../src/guard/page.js';
import { inertText } from '../../../src/events/inert.js';
import { hostDocument } from '../common/host.js';
import { DIALOG_RELAY } from '../../shared/lazy-ui.js';
import { size } from '../checking/indicator.js';
import { Warning, type RowStatus, type WarningProps } from './Warning.js';
import { CSS } from './style.js';
import { reasonText, t } from './text.js';

/** The host element's tag: tests and admins can see that a warning is open, never what is inside. */
export const HOST_TAG = 'upload-guard-warning';

let queue: Promise<unknown> = Promise.resolve();

export function showWarning(req: WarnRequest): Promise<WarnAnswer> {
  const next = queue.then(() => open(req));
  queue = next.catch(() => undefined);
  return next;
}

function open(req: WarnRequest): Promise<WarnAnswer> {
  return new Promise((resolve) => {
    const doc = hostDocument();
    const host = doc.createElement(HOST_TAG);
    host.setAttribute('data-action', req.action);
    // delegatesFocus: focusing the host focuses the dialog's first control (how focus is taken back).
    const root = host.attachShadow({ mode: 'closed', delegatesFocus: true });
    const style = doc.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
    const mount = doc.createElement('div');
    root.appendChild(mount);
    (host as unknown as Record<string, unknown>)[DIALOG_RELAY] = (e: Event) => relay(e, root);
    const body = doc.body ?? doc.documentElement;
    // A page's modal <dialog> (showModal) sits in the top layer and makes the rest of the document inert:
    // the warning would show behind its backdrop, its buttons out of reach. It then opens in a modal
    // dialog of its own, above the page's (a popover would still be inert).
    const shell = doc.querySelector(':modal') ? topLayer(doc, body) : null;
    const parent = shell ?? body;
    parent.appendChild(host);
    shell?.showModal();
    const before = doc.activeElement as HTMLElement | null;
    const view = doc.defaultView ?? window;
    const stay = keepShown(doc, host, body, shell);
    // Escape closes it wherever the page put the focus meanwhile (the focus is taken back as well).
    const escape = (e: KeyboardEvent) => e.key === 'Escape' && done({ proceed: false, justification: null, onlyPassed: false });
    view.addEventListener('keydown', escape, true);
    let closed = false;
    const done: WarningProps['onDone'] = (a) => {
      if (closed) return; // Escape is seen by the window's listener and by the dialog's own
      closed = true;
      stay();
      view.removeEventListener('keydown', escape, true);
      render(null, mount);
      host.remove();
      shell?.remove();
      before?.focus?.();
      resolve(a);
    };
    render(h(Warning, propsOf(req, done)), mount);
  });
}

/**
 * A key or input event of the dialog, stopped by the guard at the window before the page's listeners
 * (content/replay.ts toDialog): the dialog's own handlers get a copy that never leaves its shadow root
 * (not composed), dispatched where the focus is. The original's default action (the character typed,
 * a button pressed) still happens, unless the dialog's handler cancels the copy (Tab kept inside).
 * The event may come from another frame's world (the dialog of a frame opens in the top document):
 * told apart by its fields, not by instanceof.
 */
function relay(e: Event, root: ShadowRoot): void {
  const at = root.activeElement ?? root.lastElementChild;
  if (!at) return;
  let copy: Event | null = null;
  if ('key' in e && (e.type === 'keydown' || e.type === 'keyup')) {
    const k = e as KeyboardEvent;
    copy = new KeyboardEvent(k.type, { key: k.key, code: k.code, location: k.location, repeat: k.repeat, isComposing: k.isComposing, shiftKey: k.shiftKey, ctrlKey: k.ctrlKey, altKey: k.altKey, metaKey: k.metaKey, bubbles: true, cancelable: true });
  } else if (e.type === 'input') {
    const i = e as InputEvent;
    copy = new InputEvent('input', { data: i.data, inputType: i.inputType, isComposing: i.isComposing, bubbles: true });
  }
  if (copy && !at.dispatchEvent(copy)) e.preventDefault();
}

/** A bare <dialog> in the top layer that only carries the host (which covers the window itself). */
function topLayer(doc: Document, body: Element): HTMLDialogElement {
  const shell = doc.createElement('dialog');
  for (const [k, v] of SHELL_STYLE) shell.style.setProperty(k, v, 'important');
  // Escape is the warning's (its window listener answers it): the shell does not close on its own.
  shell.addEventListener('cancel', (e) => e.preventDefault());
  body.appendChild(shell);
  return shell;
}

const SHELL_STYLE: [string, string][] = [
  ['margin', '0'],
  ['padding', '0'],
  ['border', '0'],
  ['width', '0'],
  ['height', '0'],
  ['overflow', 'visible'],
  ['background', 'transparent'],
];

/** Inline, important: a page's style sheet (even `display: none !important`) cannot hide the dialog. */
const HOST_STYLE: [string, string][] = [
  ['display', 'block'],
  ['visibility', 'visible'],
  ['opacity', '1'],
  ['position', 'fixed'],
  ['inset', '0'],
  ['z-index', '2147483647'],
  ['transform', 'none'],
  ['filter', 'none'],
  ['clip-path', 'none'],
];

/**
 * Keeps an open dialog modal and on screen while the page runs: its styles re-asserted if the page changes
 * them, the host put back if the page removes it, and the focus taken back when the page moves it to
 * one of its own elements (a composer that refocuses itself would otherwise get the employee's keys, and
 * Escape would no longer reach the dialog). Returns the function that stops this.
 */
function keepShown(doc: Document, host: HTMLElement, body: Element, shell: HTMLDialogElement | null): () => void {
  const style = () => {
    for (const [k, v] of HOST_STYLE) host.style.setProperty(k, v, 'important');
  };
  style();
  const observer = new MutationObserver(() => {
    // Above a page's modal dialog: the shell too is put back, and shown again if the page closed it.
    if (shell && !shell.isConnected) body.appendChild(shell);
    if (shell && !shell.open) shell.showModal();
    if (!host.isConnected || (shell && host.parentNode !== shell)) (shell ?? body).appendChild(host);
    if (HOST_STYLE.some(([k, v]) => host.style.getPropertyValue(k) !== v || host.style.getPropertyPriority(k) !== 'important') || host.hidden) {
      host.hidden = false;
      style();
    }
  });
  observer.observe(host, { attributes: true });
  observer.observe(body, { childList: true });
  if (shell) observer.observe(shell, { attributes: true, childList: true });
  const focus = (e: FocusEvent) => {
    if (e.target !== host) host.focus();
  };
  doc.addEventListener('focusin', focus, true);
  return () => {
    observer.disconnect();
    doc.removeEventListener('focusin', focus, true);
  };
}

/**
 * Why a connection the page opened (`new WebSocket(url)`, `new EventSource(url)`) failed: its URL could
 * not be judged at once, so it was refused, and the guard has found it clean since (hooks/sources.ts).
 * Nothing to decide: the dialog only explains.
 */
export function showUnchecked(view: PageView | null): Promise<WarnAnswer> {
  return showWarning({
    action: 'block',
    why: 'unchecked',
    items: [],
    serviceName: view?.service?.name ?? null,
    category: view?.service?.category ?? null,
    guidance: view?.guidance ?? NO_GUIDANCE,
    maxBytes: 0,
    canSendPassed: false,
    recorded: false,
    dispute: null,
  });
}

/** The request in words. */
export function propsOf(req: WarnRequest, onDone: WarningProps['onDone']): WarningProps {
  const service = req.serviceName ?? t('warn_this_site');
  const refused = req.items.filter((i) => !i.passed);
  const kind = req.why !== 'policy' ? req.why : refused.some((i) => i.verdict.verdict === 'marked') ? 'marked' : refused.some((i) => i.verdict.verdict === 'unscannable') ? 'unscannable' : 'policy';
  const passedFiles = req.items.filter((i) => i.passed && i.name !== null).length;
  const g = req.guidance;
  return {
    action: req.action,
    title: t(req.action === 'warn' && req.why === 'policy' ? 'warn_title_warn' : `warn_title_${kind === 'policy' ? 'warn' : kind}`),
    intro: t(`warn_intro_${kind}`, service),
    nothingSent: t('warn_nothing_sent'),
    recorded: req.recorded ? t('warn_recorded') : null,
    rows: req.items.map((i) => ({
      // A name's controls and bidi overrides are shown, not obeyed (「請求書‮txt.exe」 must not read as 「請求書exe.txt」).
      name: i.name !== null ? shown(i.name) : t(i.kind === 'bytes' ? 'warn_item_data' : 'warn_item_text'),
      status: statusOf(i),
      statusText: t(`warn_status_${statusOf(i)}`),
      reason: req.why !== 'policy' ? '' : shown(reasonText(i.verdict, i.namePrefix, i.name, i.passed)),
    })),
    advice: kind === 'unscannable' ? adviceFor(refused, req.maxBytes) : null,
    guidance: { heading: t('warn_instead'), text: g.text, link: g.url ? { text: t('warn_link'), url: g.url } : null },
    alternative: g.alternative ? { text: t('warn_alternative', g.alternative.text || g.alternative.url || ''), url: g.alternative.url, open: t('warn_alternative_open') } : null,
    contact: g.contact ? { ...g.contact, heading: t('warn_contact'), mailLabel: t('warn_contact_mail'), phoneLabel: t('warn_contact_phone') } : null,
    reasons: { label: t('warn_justification'), presets: g.reasons, other: t('warn_reason_other'), hint: t('warn_justification_hint') },
    sendPassed: req.canSendPassed && passedFiles > 0 ? t('warn_send_passed', String(passedFiles)) : null,
    labels: { continue: t('warn_continue'), cancel: t('warn_cancel'), close: t('warn_close') },
    dispute: req.dispute
      ? {
          open: t('warn_dispute'),
          intro: t('warn_dispute_intro'),
          comment: t('warn_dispute_comment'),
          send: t('warn_dispute_send'),
          sent: t('warn_dispute_sent'),
          failed: t('warn_dispute_failed'),
          run: req.dispute,
        }
      : null,
    onDone,
  };
}

/** A name or an excerpt on one line, its controls and bidi overrides shown as [U+XXXX], not obeyed. */
const shown = (s: string): string => inertText(s.replace(/[\r\n\t]+/g, ' '));

function statusOf(i: WarnItem): RowStatus {
  if (i.passed) return 'clean';
  return i.verdict.verdict === 'clean' ? 'policy' : i.verdict.verdict;
}

/** Advice for why a file could not be checked: the password, the size, or the general case. */
function adviceFor(refused: WarnItem[], maxBytes: number): string {
  const reasons = new Set(refused.map((i) => (i.verdict.verdict === 'unscannable' ? i.verdict.reason : '')));
  if (reasons.size === 1 && reasons.has('encrypted')) return t('warn_advice_encrypted');
  if (reasons.size === 1 && reasons.has('too-large')) return t('warn_advice_too_large', size(maxBytes));
  return t('warn_advice_other');
}
