/**
 * The warning dialog. role=alertdialog, labelled and described; focus starts inside and stays inside
 * (Tab cycles), Esc closes without sending. It lists every item of the gesture with its own result,
 * says in one sentence that nothing went, and offers what the policy allows: Close (`block`), a reason
 * to send anyway (`warn`: preset reasons or free text), "attach only the files that passed" where the
 * channel can, and a request for review (a dispute) that is recorded at once.
 *
 * The primary action comes first in the DOM (so Tab from the reason reaches it first) and last on
 * screen (row-reverse), where people look for it.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export type RowStatus = 'marked' | 'unscannable' | 'clean' | 'policy';

export interface WarningRow {
  /** File name, or null for text. */
  name: string | null;
  status: RowStatus;
  statusText: string;
  reason: string;
}

export interface ContactView {
  name: string | null;
  mail: string | null;
  phone: string | null;
  url: string | null;
}

export interface WarningProps {
  action: 'block' | 'warn';
  title: string;
  intro: string;
  /** "Nothing has been sent or attached." */
  nothingSent: string;
  /** Shown when the attempt is on record. */
  recorded: string | null;
  rows: WarningRow[];
  /** Advice for the specific reason (too large, password-protected), before the company's guidance. */
  advice: string | null;
  guidance: { heading: string; text: string; link: { text: string; url: string } | null };
  alternative: { text: string; url: string | null; open: string } | null;
  contact: (ContactView & { heading: string; mailLabel: string; phoneLabel: string }) | null;
  reasons: { label: string; presets: string[]; other: string; hint: string };
  /** Label of "attach only the N files that passed", or null when not offered. */
  sendPassed: string | null;
  labels: { continue: string; cancel: string; close: string };
  dispute: {
    open: string;
    intro: string;
    comment: string;
    send: string;
    sent: string;
    failed: string;
    run: (comment: string | null) => Promise<boolean>;
  } | null;
  onDone(answer: { proceed: boolean; justification: string | null; onlyPassed: boolean }): void;
}

const OTHER = -1;

export function Warning(p: WarningProps) {
  // Nothing is chosen for the employee: a reason is theirs to give.
  const [choice, setChoice] = useState<number | null>(p.reasons.presets.length > 0 ? null : OTHER);
  const [free, setFree] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const first = useRef<HTMLElement>(null);

  // Focus moves into the dialog as it opens (before the next key can reach the page).
  useLayoutEffect(() => {
    first.current?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    // Keys typed in the dialog belong to the dialog: the page's shortcuts must not act on them.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      p.onDone({ proceed: false, justification: null, onlyPassed: false });
    } else if (e.key === 'Tab') {
      trapTab(e, box.current);
    }
  };

  const justification = choice === OTHER ? free.trim() : choice === null ? '' : (p.reasons.presets[choice] ?? '');
  const ok = justification.length > 0;
  const close = () => p.onDone({ proceed: false, justification: null, onlyPassed: false });
  const sendPassed = p.sendPassed && (
    <button type="button" class="secondary" data-role="send-passed" onClick={() => p.onDone({ proceed: false, justification: null, onlyPassed: true })}>
      {p.sendPassed}
    </button>
  );

  return (
    <div class="backdrop">
      <div ref={box} class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="ug-title" aria-describedby="ug-intro" onKeyDown={onKeyDown}>
        <h2 id="ug-title">{p.title}</h2>
        <p id="ug-intro">
          {p.intro} <strong>{p.nothingSent}</strong>
        </p>
        <ul class="rows">
          {p.rows.map((r) => (
            <li class={r.status}>
              <span class="status">{r.statusText}</span>
              <strong class="name">{r.name}</strong>
              <span class="reason">{r.reason}</span>
            </li>
          ))}
        </ul>
        {p.recorded && <p class="recorded">{p.recorded}</p>}
        <section class="instead" aria-label={p.guidance.heading}>
          <h3>{p.guidance.heading}</h3>
          {p.advice && <p>{p.advice}</p>}
          {p.guidance.text && <p>{p.guidance.text}</p>}
          {p.alternative && (
            <p>
              {p.alternative.text}
              {p.alternative.url && (
                <>
                  {' '}
                  <a href={p.alternative.url} target="_blank" rel="noopener noreferrer">
                    {p.alternative.open}
                  </a>
                </>
              )}
            </p>
          )}
          {p.guidance.link && (
            <a href={p.guidance.link.url} target="_blank" rel="noopener noreferrer">
              {p.guidance.link.text}
            </a>
          )}
          {p.contact && <Contact {...p.contact} />}
        </section>
        {p.action === 'warn' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (ok) p.onDone({ proceed: true, justification, onlyPassed: false });
            }}
          >
            <fieldset>
              <legend>{p.reasons.label}</legend>
              {p.reasons.presets.map((r, i) => (
                <label class="choice">
                  <input type="radio" name="ug-reason" checked={choice === i} onChange={() => setChoice(i)} />
                  {r}
                </label>
              ))}
              {p.reasons.presets.length > 0 && (
                <label class="choice">
                  <input type="radio" name="ug-reason" checked={choice === OTHER} onChange={() => setChoice(OTHER)} />
                  {p.reasons.other}
                </label>
              )}
              <textarea
                ref={first as never}
                rows={2}
                aria-label={p.reasons.other}
                placeholder={p.reasons.hint}
                value={free}
                onInput={(e) => {
                  setFree((e.currentTarget as HTMLTextAreaElement).value);
                  setChoice(OTHER);
                }}
              />
            </fieldset>
            <div class="buttons">
              <button type="submit" class="primary" disabled={!ok} aria-disabled={!ok}>
                {p.labels.continue}
              </button>
              {sendPassed}
              <button type="button" class="secondary" onClick={close}>
                {p.labels.cancel}
              </button>
            </div>
          </form>
        ) : (
          <div class="buttons">
            <button type="button" class="primary" ref={first as never} onClick={close}>
              {p.labels.close}
            </button>
            {sendPassed}
          </div>
        )}
        {p.dispute && <Dispute {...p.dispute} />}
      </div>
    </div>
  );
}

function Contact(c: ContactView & { heading: string; mailLabel: string; phoneLabel: string }) {
  return (
    <dl class="contact">
      <dt>{c.heading}</dt>
      {c.name && <dd>{c.name}</dd>}
      {c.mail && (
        <dd>
          {c.mailLabel}<a href={`mailto:${c.mail}`}>{c.mail}</a>
        </dd>
      )}
      {c.phone && (
        <dd>
          {c.phoneLabel}<a href={`tel:${c.phone.replace(/[^0-9+]/g, '')}`}>{c.phone}</a>
        </dd>
      )}
      {c.url && (
        <dd>
          <a href={c.url} target="_blank" rel="noopener noreferrer">
            {c.url}
          </a>
        </dd>
      )}
    </dl>
  );
}

/** "Ask for a review": opens a comment box; the request is recorded at once, whatever the employee does next. */
function Dispute(d: NonNullable<WarningProps['dispute']>) {
  const [state, setState] = useState<'closed' | 'open' | 'sending' | 'sent' | 'failed'>('closed');
  const [comment, setComment] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const said = useRef<HTMLParagraphElement>(null);
  // Focus follows the step (the button pressed is gone), so it never falls out of the dialog.
  useLayoutEffect(() => {
    if (state === 'open') area.current?.focus();
    if (state === 'sent' || state === 'failed') said.current?.focus();
  }, [state]);
  if (state === 'closed') {
    return (
      <div class="dispute">
        <button type="button" class="link" data-role="dispute" onClick={() => setState('open')}>
          {d.open}
        </button>
      </div>
    );
  }
  if (state === 'sent' || state === 'failed') {
    return (
      <p class={`dispute ${state}`} role="status" tabIndex={-1} ref={said}>
        {state === 'sent' ? d.sent : d.failed}
      </p>
    );
  }
  return (
    <div class="dispute">
      <p>{d.intro}</p>
      <label for="ug-dispute">{d.comment}</label>
      <textarea id="ug-dispute" ref={area} rows={2} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
      <div class="buttons">
        <button
          type="button"
          class="secondary"
          data-role="dispute-send"
          disabled={state === 'sending'}
          onClick={() => {
            setState('sending');
            void d.run(comment.trim() || null).then((ok) => setState(ok ? 'sent' : 'failed'));
          }}
        >
          {d.send}
        </button>
      </div>
    </div>
  );
}

/** Tab and Shift+Tab cycle inside the dialog. */
function trapTab(e: KeyboardEvent, box: HTMLElement | null): void {
  const items = Array.from(box?.querySelectorAll<HTMLElement>('a[href],button:not([disabled]),textarea,input') ?? []);
  if (!items.length) return;
  const root = box?.getRootNode() as ShadowRoot | null;
  const active = root?.activeElement as HTMLElement | null;
  const i = active ? items.indexOf(active) : -1;
  const next = e.shiftKey ? (i <= 0 ? items.length - 1 : i - 1) : i === items.length - 1 ? 0 : i + 1;
  e.preventDefault();
  items[next].focus();
}
