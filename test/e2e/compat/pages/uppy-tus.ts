/** Uppy + tus resumable upload (small chunks, so one file is several PATCH requests). */
import Tus from '@uppy/tus';
import { uppyWithDashboard } from './shared/uppy.js';

uppyWithDashboard().use(Tus, { endpoint: '/tus/', chunkSize: 64 * 1024, retryDelays: [] });
