/** The real `upload-guard` binary as a child process: exit code and both output streams, never a throw. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `upload-guard ARGS…` from the repository root; code -1 when it did not exit normally (timeout, signal). */
export function runCli(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/upload-guard.js', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
