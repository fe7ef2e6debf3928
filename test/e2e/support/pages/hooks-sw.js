/* global self, indexedDB */
// The technique pages' Service Worker: an offline upload queue that uploads whatever the page hands it
// (postMessage, BroadcastChannel, IndexedDB). No hook of the page runs here.
const upload = (file, ch) => {
  const fd = new FormData();
  fd.append('file', file, file.name || 'queued.bin');
  return fetch(`/upload?ch=${ch}`, { method: 'POST', body: fd });
};

function drainIdb(ch) {
  return new Promise((resolve) => {
    const open = indexedDB.open('hooks-queue', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('files', { autoIncrement: true });
    open.onsuccess = () => {
      const db = open.result;
      const all = db.transaction('files').objectStore('files').getAll();
      all.onsuccess = async () => {
        for (const f of all.result) await upload(f, ch);
        const tx = db.transaction('files', 'readwrite');
        tx.objectStore('files').clear();
        tx.oncomplete = () => (db.close(), resolve(all.result.length));
      };
    };
  });
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('message', (e) => {
  const d = e.data || {};
  if (d.file) e.waitUntil(upload(d.file, d.ch || 'sw'));
  if (d.drain) e.waitUntil(drainIdb(d.ch).then((n) => e.source && e.source.postMessage({ drained: n })));
});
new BroadcastChannel('hooks-queue').onmessage = (e) => e.data && e.data.file && upload(e.data.file, 'broadcast');
