/** Shared Uppy setup: the Dashboard (inline), uploading as soon as files are added. */
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { log } from './log.js';

export function uppyWithDashboard(): Uppy {
  const uppy = new Uppy({ autoProceed: true, allowMultipleUploadBatches: true });
  uppy.use(Dashboard, { inline: true, target: '#app', height: 360, proudlyDisplayPoweredByUppy: false });
  uppy.on('upload-success', (f) => log('success', f?.name ?? ''));
  uppy.on('upload-error', (f, e) => log('error', f?.name ?? '', String(e)));
  return uppy;
}
