/**
 * A large file read by the scan frame for its worker (extension/scan/frame-read.ts), over a real
 * MessageChannel as between the frame and its worker: the same bytes, never more than WINDOW read ahead
 * of what the worker took, the frame's read stopped when the worker lets go, and a read that fails
 * leaves the verdict to the real reads (never `clean` by default).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { readAhead } from '../../extension/scan/read-ahead.js';
import { readInFrame, serveReads, WINDOW, type Line } from '../../extension/scan/frame-read.js';
import { scanBlob } from '../../src/detect/index.js';

const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 7 + (i >> 8)) & 255);
const lines: MessagePort[] = [];

/**
 * [the worker's line, bytes the frame posted so far]. `real`: over a MessageChannel (the Blob and the
 * chunks cross as they do between the frame and its worker: cloned, transferred); otherwise over a line
 * that hands the objects themselves over a task later, so a test's Blob keeps its own stream.
 */
function connect(real = false): [Line, { posted: number }] {
  const [worker, frame] = real ? channel() : direct();
  const counts = { posted: 0 };
  const post = frame.postMessage.bind(frame);
  frame.postMessage = (m, transfer) => {
    if ((m as { bytes?: Uint8Array }).bytes) counts.posted += (m as { bytes: Uint8Array }).bytes.byteLength;
    post(m, transfer);
  };
  const reads = serveReads(frame);
  frame.addEventListener('message', (e) => reads(e.data));
  return [worker, counts];
}

function channel(): [Line, Line] {
  const { port1, port2 } = new MessageChannel();
  lines.push(port1, port2);
  port1.start();
  port2.start();
  return [port1 as unknown as Line, port2 as unknown as Line];
}

function direct(): [Line, Line] {
  const ends = [0, 1].map(() => new EventTarget() as EventTarget & Line);
  ends.forEach((end, i) => {
    end.postMessage = (data) => void setTimeout(() => ends[1 - i].dispatchEvent(new MessageEvent('message', { data })));
  });
  return [ends[0], ends[1]];
}

/** A Blob whose stream comes in `part`-byte chunks, counting the chunks pulled and seeing a cancel (a browser's File streams so). */
class PartedBlob extends Blob {
  pulled = 0;
  cancelled = false;
  constructor(
    private readonly data: Uint8Array,
    private readonly part: number,
    private readonly failAt = Infinity,
  ) {
    super([data as Uint8Array<ArrayBuffer>]);
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let at = 0;
    return new ReadableStream({
      pull: (c) => {
        if (at >= this.failAt) return c.error(new Error('the file could not be read'));
        if (at >= this.data.length) return c.close();
        this.pulled++;
        c.enqueue(this.data.slice(at, (at += this.part)));
      },
      cancel: () => void (this.cancelled = true),
    }, { highWaterMark: 0 });
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));

afterEach(() => {
  for (const p of lines.splice(0)) p.close();
});

describe('frame-read', () => {
  it('hands the worker the file\'s bytes in order, then the end', async () => {
    const data = bytes(3_000_000);
    const [line] = connect();
    const reader = readInFrame(new PartedBlob(data, 256 << 10), line);
    const [real] = connect(true);
    const cloned = readInFrame(new Blob([data]), real);
    const whole: Uint8Array[] = [];
    for (let r = await cloned.read(); !r.done; r = await cloned.read()) whole.push(r.value);
    expect(Buffer.concat(whole).equals(data)).toBe(true);
    const got: Uint8Array[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
    expect(got.length).toBe(Math.ceil(data.length / (256 << 10)));
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect((await reader.read()).done).toBe(true);
  });

  it('reads at most WINDOW ahead of what the worker took, and goes on as it takes', async () => {
    const part = 512 << 10;
    const blob = new PartedBlob(bytes(4 * WINDOW), part);
    const [line, counts] = connect();
    const reader = readInFrame(blob, line);
    await settle();
    expect(counts.posted).toBe(WINDOW); // a whole number of parts: it stops exactly at the window
    await reader.read();
    await reader.read();
    await settle();
    expect(counts.posted).toBe(WINDOW + 2 * part);
    await reader.cancel();
  });

  it('stops reading the file when the worker lets go (a picture judged by its head)', async () => {
    const blob = new PartedBlob(bytes(4 * WINDOW), 1 << 20);
    const [line] = connect();
    const reader = readInFrame(blob, line);
    await reader.read();
    await reader.cancel();
    await settle();
    expect(blob.cancelled).toBe(true);
    const pulled = blob.pulled;
    await settle();
    expect(blob.pulled).toBe(pulled);
    expect(pulled).toBeLessThanOrEqual(WINDOW / (1 << 20) + 2);
    expect((await reader.read()).done).toBe(true);
  });

  it('gives the engine the same verdicts as the plain file', async () => {
    const text = '来週の定例は水曜。部品の納期を確認します。\n'.repeat(120_000); // 7.6 MB: more than one window
    for (const [content, verdict] of [[text + '秘 Confidential\n', 'marked'], [text, 'clean']] as const) {
      const data = new TextEncoder().encode(content);
      const [line] = connect(true);
      const ahead = readAhead(new Blob([data]), WINDOW, (b) => readInFrame(b, line));
      const r = await scanBlob(ahead.blob, 'memo.txt');
      ahead.close();
      expect(r.verdict).toBe(verdict);
    }
  });

  it('a read that fails in the frame is an error for the worker, and the real reads decide', async () => {
    const data = new TextEncoder().encode('打合せメモ\n'.repeat(400_000) + '秘 Confidential\n');
    const [line] = connect();
    const reader = readInFrame(new PartedBlob(data, 1 << 20, 2 << 20), line);
    await expect(async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read());
    }).rejects.toThrow('could not be read');
    const [line2] = connect();
    const ahead = readAhead(new PartedBlob(data, 1 << 20, 2 << 20), WINDOW, (b) => readInFrame(b, line2));
    expect((await scanBlob(ahead.blob, 'memo.txt')).verdict).toBe('marked');
    ahead.close();
  });
});
