/**
 * Builds the extension into dist/ (Chromium) or dist-firefox/ (BROWSER=firefox) with @crxjs/vite-plugin.
 *
 * The in-page guard (extension/content/guard.ts, ISOLATED world) and page hooks (page-hooks.ts, MAIN
 * world) are not in the manifest: the background registers them at run time for exactly the hosts the
 * effective policy guards. The background imports them with `?script`, which makes crxjs build them and
 * hands back their output file names; `standaloneFiles` makes those builds self-contained IIFEs, because
 * crxjs's usual async loader would run them too late for document_start and cannot run in the MAIN world.
 * The dialog bundle (ui-entry.ts) is built the same way and injected on first use. The engine is in the
 * scan frame (extension/scan/frame.html, web-accessible) and its module worker: see docs/design.md,
 * "Where the engine runs".
 */
import { minify as terser } from 'terser';
import { defineConfig, minifySync, type Plugin } from 'vite';
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import preact from '@preact/preset-vite';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { GECKO_ID } from './src/policy/extension-id.js';
import { arrowIifes } from './scripts/arrow-iifes.js';
import { literalEscapes } from './scripts/literal-escapes.js';

const browser = process.env.BROWSER === 'firefox' ? 'firefox' : 'chrome';
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// package.json is the one place the version is set (manifest.json holds a placeholder): every package
// (CRX, ZIP, XPI) and updates.xml follow it.
const baseManifest = { ...JSON.parse(readFileSync(new URL('./manifest.json', import.meta.url), 'utf8')), version: pkg.version };
// NETWORK_LAYER=off: a package without the request-level layer. Holding webRequest (or
// declarativeNetRequest) makes Chromium route every request of the profile through the browser process,
// listeners or not: about 0.8 ms of CPU per request here (docs/scope.md, "What the guard costs").
if (process.env.NETWORK_LAYER === 'off') {
  baseManifest.permissions = baseManifest.permissions.filter((p: string) => p !== 'webRequest' && p !== 'webRequestBlocking' && p !== 'declarativeNetRequest');
}

/** One manifest source; Firefox gets event-page background scripts and its add-on id. */
function manifestFor(target: 'chrome' | 'firefox'): ManifestV3Export {
  if (target === 'chrome') return baseManifest;
  const m = structuredClone(baseManifest);
  m.background = { scripts: [m.background.service_worker], type: 'module' };
  m.browser_specific_settings = { gecko: { id: GECKO_ID, strict_min_version: '128.0' } };
  // Chrome-only keys Firefox warns about or rejects.
  delete m.key;
  delete m.minimum_chrome_version;
  // enterprise.deviceAttributes is ChromeOS-only (the PC name fallback); Firefox does not know it.
  m.permissions = m.permissions.filter((p: string) => p !== 'identity.email' && p !== 'enterprise.deviceAttributes');
  return m;
}

/**
 * Files the manifest names by path, kept once at their documented place and emitted into the build:
 * the managed-storage schema (extension/policy-schema.json, `storage.managed_schema`) and the
 * translations (extension/_locales → _locales, where browsers look for them).
 */
function staticFiles(): Plugin {
  const root = new URL('./', import.meta.url);
  return {
    name: 'upload-guard:static-files',
    apply: 'build',
    generateBundle() {
      const schema = 'extension/policy-schema.json';
      const source = readFileSync(new URL(schema, root), 'utf8');
      JSON.parse(source); // fail the build on a broken schema rather than ship an extension that will not load
      this.emitFile({ type: 'asset', fileName: schema, source });
      for (const lang of readdirSync(new URL('extension/_locales/', root))) {
        const file = `extension/_locales/${lang}/messages.json`;
        const text = readFileSync(new URL(file, root), 'utf8');
        JSON.parse(text);
        this.emitFile({ type: 'asset', fileName: `_locales/${lang}/messages.json`, source: text });
      }
    },
  };
}

/**
 * crxjs lists every `?script` file as web_accessible_resources for all sites. The guard files are
 * injected by registerContentScripts, which needs no such entry, and exposing them would let any site
 * detect the extension by fetching them. Removes those entries from the final manifest.
 */
function privateContentScripts(): Plugin {
  return {
    name: 'upload-guard:private-content-scripts',
    apply: 'build',
    enforce: 'post',
    writeBundle(options) {
      const file = `${options.dir}/manifest.json`;
      const m = JSON.parse(readFileSync(file, 'utf8'));
      const war = (m.web_accessible_resources ?? [])
        .map((r: { resources: string[] }) => ({ ...r, resources: r.resources.filter((x) => !x.startsWith('extension/content/')) }))
        .filter((r: { resources: string[] }) => r.resources.length > 0);
      if (war.length > 0) m.web_accessible_resources = war;
      else delete m.web_accessible_resources;
      writeFileSync(file, `${JSON.stringify(m, null, 2)}\n`);
    },
  };
}

/**
 * The two scripts every guarded frame runs at document_start are minified (the rest of the build stays
 * readable for stack traces): their size is parsed on every page load, in every frame. Budget 30 KB
 * each, asserted by test/e2e/archives-csp.test.ts. Vite's own minifier (Oxc; `minifySync` from vite)
 * first: about 700 B smaller than esbuild's for page-hooks.js and 500 B for guard.js. Then Terser over
 * its output, two passes, which folds what Oxc leaves (about 500 B of page-hooks.js). `unsafe_arrows`
 * turns an anonymous `function` that never reads `this` into an arrow: every function the hooks put in
 * place of a browser method reads `this` (it calls the original on it), so none of those changes, and
 * the hooks never `new` their own functions; `unsafe_methods` turns `{ f: function () {} }` into a method,
 * which no caller constructs either. Nothing else unsafe is on.
 */
/**
 * Property names only the page hooks' own objects have (a Gate's `ready`/`refusedNow`/`decision`, a
 * Decision's `ok`/`settled`/`waiters`, a checked body's `gate`/`sent`, a lineage's `files`/`rest`, a
 * walk's `blobs`/`seen`/`left`/`raw`, intact.ts's snapshots' `target`/`keys`/`seenAs`, bridge-client.ts's
 * configuration's `pageGuarded`/`policyDesignated`, the compiled designated patterns' (src/detect/rules/
 * designated.ts) `content`/`names`/`source`/`re`/`normalized`, a form start's `boundary`, a drop's
 * `entry`/`handle`, an XMLHttpRequest's `isAsync`/`urlGate`/`headerValues`): Terser shortens them in page-hooks.js. None crosses to the guard (bridge.ts
 * carries its own fields), and the hooks read no page or DOM object's property of these names (they
 * read the DOM through safe-self.ts's captured getters), which the renaming would break. `ready` and
 * `files` are on Terser's list of DOM names, hence `builtins`. (`done`, `body`, `guarded` and
 * `designated` are not here: the hooks read iterator results', a fetch init's, and the guard's
 * configuration message's.)
 */
const HOOKS_PRIVATE = /^(ready|refusedNow|decision|ok|settled|waiters|gate|sent|files|rest|blobs|seen|left|raw|target|keys|seenAs|pageGuarded|policyDesignated|content|names|source|re|normalized|boundary|entry|handle|isAsync|urlGate|headerValues)$/;
/**
 * The same for guard.js: methods of the guard's memory (src/guard/memory.ts) that only the guard core
 * calls, the guard core's own methods and ports that only the adapter (gate.ts) and the channel modules
 * call or give, and a judged item's `finding` (src/guard/find.ts): named nowhere else (no message, page,
 * DOM object or the dialog's bundle has them). Also the memory's `approve`/`refuse`/`known`/`pending`,
 * the typing watch's `holding`/`each`/`erase` (src/guard/typing.ts), a decision's `perItem`/`keep` and the
 * guard's `isGuarded`/`refresh` (116 B: room for red team web5's fixes).
 */
const GUARD_PRIVATE = /^(isWithinRefused|refuseWhole|isRefused|beyondApproved|pendingFor|underWay|nameRefusalIsFinal|receiveSnapshot|knownAnswer|nameVerdict|textVerdict|fetchView|isTopFrame|frameUrl|onView|finding|approve|refuse|known|pending|holding|each|erase|perItem|isGuarded|refresh|keep)$/;

const EVERY_FRAME = /^extension\/content\/(guard|page-hooks)\.js$/;

function minifyInjected(): Plugin {
  return {
    name: 'upload-guard:minify-injected',
    apply: 'build',
    enforce: 'post',
    async generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'asset' || !EVERY_FRAME.test(file.fileName)) continue;
        const code = typeof file.source === 'string' ? file.source : new TextDecoder().decode(file.source);
        const out = minifySync(file.fileName, code, { compress: { target: 'es2022' }, mangle: true, codegen: { removeWhitespace: true } });
        if (out.errors.length > 0) this.error(`${file.fileName}: ${out.errors.map((e) => e.message).join('; ')}`);
        const mangle = { properties: file.fileName.includes('page-hooks') ? { regex: HOOKS_PRIVATE, builtins: true } : { regex: GUARD_PRIVATE } };
        // Twice: the second run folds what the first one's output newly allows (about 30 B), and what
        // arrowIifes rewrites (about 170 B of page-hooks.js).
        let min = out.code;
        for (let run = 0; run < 2; run++) {
          if (run > 0) min = arrowIifes(min);
          const folded = await terser(min, { ecma: 2020, compress: { passes: 3, unsafe_arrows: true, unsafe_methods: true }, mangle });
          if (!folded.code) this.error(`${file.fileName}: Terser gave no code`);
          min = folded.code!;
        }
        file.source = literalEscapes(min);
      }
    },
  };
}

export default defineConfig({
  plugins: [
    preact(),
    crx({
      manifest: manifestFor(browser),
      browser,
      contentScripts: {
        standaloneFiles: ['extension/content/guard.ts', 'extension/content/page-hooks.ts', 'extension/content/ui-entry.ts'],
      },
    }),
    staticFiles(),
    privateContentScripts(),
    minifyInjected(),
  ],
  // The scan worker (extension/scan/) is a module worker, in one file: Chromium starts it from a blob:
  // module (extension/scan/frame.ts), and a dynamic import() from there fails to fetch ("Failed to fetch
  // dynamically imported module"), so libarchive, its glue and xz are in the worker's own file. Only a
  // scan worker loads that file, and only when a file is about to be checked.
  worker: { format: 'es', rollupOptions: { output: { codeSplitting: false } } },
  build: {
    outDir: browser === 'firefox' ? 'dist-firefox' : 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Readable stack traces from employees' machines are worth more than a few kB.
    minify: false,
    sourcemap: false,
    // The scan frame is web-accessible, not named as a page in the manifest: list it as an entry.
    rollupOptions: { input: { scanFrame: 'extension/scan/frame.html' } },
  },
  server: { port: 5173, strictPort: true },
});
