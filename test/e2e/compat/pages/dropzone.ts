/** Dropzone on a drop area (its own hidden input for clicks), multipart POST per file. */
import Dropzone from 'dropzone';
import 'dropzone/dist/dropzone.css';
import { log } from './shared/log.js';

const zone = document.createElement('form');
zone.className = 'dropzone';
zone.id = 'zone';
zone.style.minHeight = '200px';
document.getElementById('app')!.append(zone);
const dz = new Dropzone(zone, { url: '/upload?ch=dropzone', paramName: 'file', parallelUploads: 4 });
dz.on('success', (f) => log('success', f.name));
dz.on('error', (f, e) => log('error', f.name, String(e)));
