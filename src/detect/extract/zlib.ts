/**
 * A file that is one zlib stream (RFC 1950): what `zlib.compress`, `pigz -z`, `openssl zlib` and
 * `qpdf --qdf`-style stream dumps write, and git's loose objects. Its content is one member, named
 * like gzip's (x.txt.zz → x.txt); the Adler-32 at its end is checked (inflate.ts).
 */
import { singleStream } from './expansion-guard.js';
import { unzlib } from './inflate.js';

export const extractZlib = singleStream('zlib stream', unzlib);
