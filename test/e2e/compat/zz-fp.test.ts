import { it } from 'vitest';
import { launchWithExtension, sample, corpus } from '/work/wt/compat/test/e2e/support/index.js';
import { bundlePages, startCompatServer } from '/work/wt/compat/test/e2e/compat/server.js';
it('fp', async () => {
  process.env.LC_ALL = 'C.UTF-8';
  const server = await startCompatServer(['drive.google.com'], await bundlePages());
  for (const ext of [false]) {
  const b = await launchWithExtension({ extension: ext, hosts: ['drive.google.com'], lang: 'ja' });
  const page = await b.context.newPage(); await page.bringToFront();
  page.on('request', (r) => console.log(Date.now() % 100000, 'req', r.method(), r.url().slice(0, 80)));
  page.on('response', (r) => console.log(Date.now() % 100000, 'res', r.status(), r.url().slice(0, 80)));
  await page.goto(server.url('drive.google.com', '/compat/filepond'));
  const files = [sample('a.txt', Buffer.from('hello\n'.repeat(100))), sample('配置図.png', corpus('floor-plan.png'))];
  console.log('vis', await page.evaluate(() => document.visibilityState + ' ' + document.hasFocus())); const t0 = Date.now();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('.filepond--label-action')]);
  await chooser.setFiles(files.map((f) => f.path));
  while (server.received.filter((a) => a.kind === 'file').length < 2) await new Promise((r) => setTimeout(r, 50));
  console.log('ext', ext, Date.now() - t0);
  server.clear();
  await b.close();
  }
  await server.close();
}, 120000);
