/**
 * The warning dialog. role=alertdialog, labelled and described; focus starts inside and stays inside
 * (Tab cycles), Esc cancels. `block` offers only Close; `warn` asks for a justification before Continue.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface WarningRow {
  /** File name, or null for text. */
  name: string | null;
  reason: string;
}

export interface WarningProps {
  action: 'block' | 'warn';
  rows: WarningRow[];
  text: {
    title: string;
    intro: string;
    textItem: string;
    instead: string;
    guidance: string;
    link: string;
    linkUrl: string | null;
    justification: string;
    justificationHint: string;
    continue: string;
    cancel: string;
    close: string;
  };
  onDone(proceed: boolean, justification: string | null): void;
}

export function Warning({ action, rows, text, onDone }: WarningProps) {
  const [reason, setReason] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLTextAreaElement & HTMLButtonElement>(null);

  // Focus moves into the dialog as it opens (before the next key can reach the page).
  useLayoutEffect(() => {
    first.current?.focus();
  }, []);

  const focusables = () =>
    Array.from(box.current?.querySelectorAll<HTMLElement>('a[href],button:not([disabled]),textarea') ?? []);

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys typed in the dialog belong to the dialog: the page's shortcuts must not act on them.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onDone(false, null);
    } else if (e.key === 'Tab') {
      const items = focusables();
      if (!items.length) return;
      const root = box.current?.getRootNode() as ShadowRoot | null;
      const active = root?.activeElement as HTMLElement | null;
      const i = active ? items.indexOf(active) : -1;
      const next = e.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : i === items.length - 1 ? 0 : i + 1;
      e.preventDefault();
      items[next].focus();
    }
  };

  const ok = reason.trim().length > 0;
  return (
    <div class="backdrop">
      <div
        ref={box}
        class="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="ug-title"
        aria-describedby="ug-intro"
        onKeyDown={onKeyDown}
      >
        <h2 id="ug-title">{text.title}</h2>
        <p id="ug-intro">{text.intro}</p>
        <ul class="rows">
          {rows.map((r) => (
            <li>
              <strong class="name">{r.name ?? text.textItem}</strong>
              <span class="reason">{r.reason}</span>
            </li>
          ))}
        </ul>
        <section class="instead" aria-label={text.instead}>
          <h3>{text.instead}</h3>
          <p>{text.guidance}</p>
          {text.linkUrl && (
            <a href={text.linkUrl} target="_blank" rel="noopener noreferrer">
              {text.link}
            </a>
          )}
        </section>
        {action === 'warn' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (ok) onDone(true, reason.trim());
            }}
          >
            <label for="ug-why">{text.justification}</label>
            <textarea
              id="ug-why"
              ref={first}
              rows={3}
              placeholder={text.justificationHint}
              value={reason}
              onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            />
            <div class="buttons">
              <button type="button" class="secondary" onClick={() => onDone(false, null)}>
                {text.cancel}
              </button>
              <button type="submit" class="primary" disabled={!ok} aria-disabled={!ok}>
                {text.continue}
              </button>
            </div>
          </form>
        ) : (
          <div class="buttons">
            <button type="button" class="primary" ref={first} onClick={() => onDone(false, null)}>
              {text.close}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
