#!/usr/bin/env node
// The `upload-guard` command: scan | collector | pull | policy. TypeScript sources run through tsx.
import { register } from 'tsx/esm/api';

// `upload-guard scan … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
