/** A React app with react-dropzone: files dropped or chosen are sent with fetch + FormData. */
import { createElement as h, useCallback } from 'react';
import { createRoot } from 'react-dom/client';
import { useDropzone } from 'react-dropzone';
import { log } from './shared/log.js';

function Uploader() {
  const onDrop = useCallback((files: File[]) => {
    for (const f of files) {
      const fd = new FormData();
      fd.append('file', f);
      fetch('/upload?ch=react-dropzone', { method: 'POST', body: fd }).then(
        (r) => log(r.ok ? 'success' : 'error', f.name),
        (e) => log('error', f.name, String(e)),
      );
    }
  }, []);
  const { getRootProps, getInputProps } = useDropzone({ onDrop });
  return h('div', { ...getRootProps({ id: 'zone', style: { height: 200, border: '2px dashed #888' } }) },
    h('input', getInputProps()), h('p', null, 'ここにファイルをドロップ'));
}

createRoot(document.getElementById('app')!).render(h(Uploader));
