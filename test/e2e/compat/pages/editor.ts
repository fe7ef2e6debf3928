/**
 * A collaborative-editor-style page: every keystroke is sent at once as its own small operation
 * (fetch POST of a JSON op), the way shared editors and chat "typing" streams do. For each op the page
 * keeps when the keystroke's input event happened, so the test can read input-to-request latency from
 * Resource Timing (when the request actually started) and when its answer came back.
 */
const box = document.createElement('div');
box.id = 'editor';
box.contentEditable = 'true';
box.style.cssText = 'width:600px;min-height:200px;border:1px solid #888';
document.getElementById('app')!.append(box);

const typedAt: number[] = [];
const answeredAt: number[] = [];
let seq = 0;
box.addEventListener('input', (e) => {
  const n = seq++;
  typedAt[n] = e.timeStamp;
  const op = { op: (e as InputEvent).inputType, data: (e as InputEvent).data, at: n };
  fetch(`/upload?ch=editor-op&seq=${n}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(op) }).then(
    () => (answeredAt[n] = performance.now()),
    () => (answeredAt[n] = -1),
  );
});

/** Per keystroke: [input → request start, input → answer] in ms. */
(window as unknown as { latencies(): number[][] }).latencies = () =>
  typedAt.map((t, n) => {
    const entry = performance.getEntriesByType('resource').find((r) => r.name.endsWith(`ch=editor-op&seq=${n}`));
    return [entry ? entry.startTime - t : NaN, answeredAt[n] > 0 ? answeredAt[n] - t : NaN];
  });
