/**
 * Peer-to-peer transfer (ShareDrop, PairDrop, FilePizza and the file share of many chat tools): the
 * page hands the file to another browser over an RTCDataChannel, and no server of the page's sees the
 * bytes. Here the other browser is a tab on the control host (never guarded), connected by handing each
 * side's session description over from the test (the signalling a real service does through its
 * server); it uploads what it receives, so the server sees exactly what crossed the channel.
 */
import type { Page } from 'playwright-core';
import { CONTROL_HOST } from '../../compat/targets.js';
import type { PagePayload, Technique } from '../harness.js';

/**
 * Connects a data channel from `sender` to `receiver`, each side's description handed over once its
 * candidates are gathered (no trickle). The receiver uploads every message it gets.
 */
async function connect(sender: Page, receiver: Page): Promise<void> {
  const offer = await sender.evaluate(async () => {
    const pc = new RTCPeerConnection();
    Object.assign(window, { ugChannel: pc.createDataChannel('files'), ugPeer: pc });
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r(null)));
    return pc.localDescription!.sdp;
  });
  const answer = await receiver.evaluate(async (sdp) => {
    const pc = new RTCPeerConnection();
    Object.assign(window, { ugPeer: pc });
    pc.addEventListener('datachannel', (e) => {
      e.channel.binaryType = 'arraybuffer';
      e.channel.addEventListener('message', (m) => {
        (window as unknown as { ugGot: number }).ugGot = ((window as unknown as { ugGot?: number }).ugGot ?? 0) + 1;
        const type = typeof m.data === 'string' ? 'text/plain;charset=utf-8' : 'application/octet-stream';
        void fetch('/upload?ch=webrtc', { method: 'POST', body: m.data as BodyInit, headers: { 'content-type': type } });
      });
    });
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r(null)));
    return pc.localDescription!.sdp;
  }, offer);
  await sender.evaluate(async (sdp) => {
    const w = window as unknown as { ugPeer: RTCPeerConnection; ugChannel: RTCDataChannel };
    await w.ugPeer.setRemoteDescription({ type: 'answer', sdp });
    if (w.ugChannel.readyState !== 'open') await new Promise((r) => w.ugChannel.addEventListener('open', r, { once: true }));
  }, answer);
}

const rows: Technique[] = [
  {
    id: 'webrtc-datachannel',
    title: 'RTCDataChannel.send of the file’s bytes or of the text to a peer browser in another tab, which uploads what it receives',
    drive: async (page, p) => {
      const receiver = await page.context().newPage();
      try {
        const at = new URL(page.url());
        at.hostname = CONTROL_HOST;
        await receiver.goto(at.href);
        await connect(page, receiver);
        await page.evaluate(async (pp: PagePayload) => {
          const w = window as unknown as { ugChannel: RTCDataChannel; t: { file(p: PagePayload): File } };
          if (pp.kind === 'file') w.ugChannel.send(await w.t.file(pp).arrayBuffer());
          else w.ugChannel.send(pp.text);
        }, { kind: p.kind, name: p.name, type: p.type, b64: p.b64, text: p.text, nonce: p.nonce });
        // The receiver uploads what arrived meanwhile. A clean payload's send waits for the guard's scan,
        // which a loaded machine can take beyond a second and a half: it is given 15 s to cross (5 s were
        // not enough once, in a CI preview with three lanes on two cores; the wait ends when it arrives).
        await receiver.waitForFunction(() => (window as unknown as { ugGot?: number }).ugGot, null, { timeout: p.marked ? 1500 : 15_000 }).catch(() => undefined);
        await page.waitForTimeout(300);
      } finally {
        await receiver.close();
        await page.evaluate(() => (window as unknown as { ugPeer?: RTCPeerConnection }).ugPeer?.close());
      }
    },
  },
];

export default rows;
