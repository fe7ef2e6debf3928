/**
 * A secret shown once (a new API token, an invited account's first password): a clear warning, the value
 * in a read-only field, a copy button. The collector keeps only a hash, so once this closes it is gone.
 */
import { useRef, useState } from 'preact/hooks';
import { accessText as s } from './access-text.js';

export function OneTimeSecret({ title, value, onDone }: { title: string; value: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      // No clipboard permission (an insecure origin, a policy): leave the value selected for Ctrl+C.
      field.current?.select();
      setCopied('failed');
    }
  }
  return (
    <div class="one-time" role="alert" data-testid="one-time-secret">
      <h3>{title}</h3>
      <p class="warning-text">{s.onceWarning}</p>
      <div class="secret-row">
        <input ref={field} readOnly value={value} size={Math.min(60, value.length + 2)} data-testid="secret" onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" onClick={() => void copy()} data-testid="copy-secret">
          {s.copy}
        </button>
        {copied && <span class="copy-state">{copied === 'yes' ? s.copied : s.copyFailed}</span>}
      </div>
      <button type="button" onClick={onDone} data-testid="secret-done">
        {s.done}
      </button>
    </div>
  );
}
