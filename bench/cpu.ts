/**
 * CPU time a whole Chromium spent (browser, network service, renderers, the extension's worker: every
 * process under the one started with this profile), read from /proc. On this shared 2-core machine a
 * wall-clock figure mostly says how long other work held the cores; the CPU a browser burns for the
 * same page is what the extension adds, and it barely moves with the load.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

function stat(pid: string): { ppid: string; ticks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields after the name: state(0) ppid(1) … utime(11) stime(12)
    return { ppid: f[1], ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** The pid of the Chromium started with this profile directory. */
export function browserPid(profile: string): string {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.includes(`--user-data-dir=${profile}`) && !cmd.some((a) => a.startsWith('--type='))) return pid;
    } catch {
      // gone
    }
  }
  throw new Error(`no Chromium with profile ${profile}`);
}

/**
 * The kind of a Chromium process from its command line (which Chromium rewrites into one line with
 * spaces): the browser, a renderer, the extension's renderer (its service worker), the network service…
 */
function kindOf(pid: string): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = cmd.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
    if (type === 'renderer') return cmd.includes('--extension-process') ? 'extension' : 'renderer';
    if (type === 'utility') return cmd.find((a) => a.startsWith('--utility-sub-type='))?.split('.').pop() ?? 'utility';
    return type;
  } catch {
    return 'gone';
  }
}

/** CPU ms used so far by the browser process and all its descendants (the living ones), per kind of process. */
export function cpuMsByKind(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of treeOf(root)) out[kindOf(pid)] = (out[kindOf(pid)] ?? 0) + (stat(pid)?.ticks ?? 0) * TICK_MS;
  return out;
}

function treeOf(root: string): string[] {
  const all = new Map<string, string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const s = stat(pid);
    if (s) all.set(pid, s.ppid);
  }
  const inTree = (pid: string): boolean => {
    for (let p: string | undefined = pid, i = 0; p && i < 20; p = all.get(p), i++) if (p === root) return true;
    return false;
  };
  return [...all.keys()].filter(inTree);
}

/** CPU ms used so far by the browser process and all its descendants (the living ones). */
export function cpuMs(root: string): number {
  const all = new Map<string, { ppid: string; ticks: number }>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const s = stat(pid);
    if (s) all.set(pid, s);
  }
  const inTree = (pid: string): boolean => {
    for (let p: string | undefined = pid, i = 0; p && i < 20; p = all.get(p)?.ppid, i++) if (p === root) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of all) if (inTree(pid)) ticks += s.ticks;
  return ticks * TICK_MS;
}
