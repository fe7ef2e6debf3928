/**
 * Opens the warning in a CLOSED shadow root on the top document when it is same-origin (a hidden upload
 * iframe must not hide the dialog), one at a time, and resolves with the employee's answer.
 */
import { h, render } from 'preact';
import type { WarnAnswer, WarnRequest } from '../../../src/guard/index.js';
import { Warning } from './Warning.js';
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

function hostDocument(): Document {
  try {
    if (window.top && window.top !== window && window.top.document.documentElement) return window.top.document;
  } catch {
    /* cross-origin parent */
  }
  return document;
}

function open(req: WarnRequest): Promise<WarnAnswer> {
  return new Promise((resolve) => {
    const doc = hostDocument();
    const host = doc.createElement(HOST_TAG);
    host.setAttribute('data-action', req.action);
    const root = host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
    const mount = doc.createElement('div');
    root.appendChild(mount);
    (doc.body ?? doc.documentElement).appendChild(host);
    const before = doc.activeElement as HTMLElement | null;

    const service = req.serviceName ?? t('warn_this_site');
    const anyMarked = req.items.some((i) => i.verdict.verdict === 'marked');
    const done = (proceed: boolean, justification: string | null) => {
      render(null, mount);
      host.remove();
      before?.focus?.();
      resolve({ proceed, justification });
    };
    render(
      h(Warning, {
        action: req.action,
        rows: req.items.map((i) => ({ name: i.name, reason: reasonText(i.verdict, i.namePrefix) })),
        text: {
          title: t(req.action === 'warn' ? 'warn_title_warn' : 'warn_title_block'),
          intro: t(req.why === 'unconfirmed' ? 'warn_intro_unconfirmed' : anyMarked ? 'warn_intro_marked' : 'warn_intro_unscannable', service),
          textItem: t('warn_item_text'),
          instead: t('warn_instead'),
          guidance: req.guidance.text,
          link: t('warn_link'),
          linkUrl: req.guidance.url,
          justification: t('warn_justification'),
          justificationHint: t('warn_justification_hint'),
          continue: t('warn_continue'),
          cancel: t('warn_cancel'),
          close: t('warn_close'),
        },
        onDone: done,
      }),
      mount,
    );
  });
}
