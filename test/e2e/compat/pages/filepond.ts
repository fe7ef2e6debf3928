/** FilePond on a plain file input, uploading each file (XHR, multipart) as soon as it is added. */
import * as FilePond from 'filepond';
import 'filepond/dist/filepond.css';
import { log } from './shared/log.js';

const input = document.createElement('input');
input.type = 'file';
input.multiple = true;
document.getElementById('app')!.append(input);
const pond = FilePond.create(input, { server: { process: '/upload?ch=filepond' }, allowMultiple: true, credits: false });
pond.on('processfile', (error, file) => log(error ? 'error' : 'success', file.filename, error ? JSON.stringify(error) : ''));
