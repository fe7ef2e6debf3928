// ESLint with typescript-eslint's recommended rules over the whole repository's TypeScript and JavaScript.
// `npm run lint`; `npm test` runs it (after `tsc -b`) before any test.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-firefox/', 'build/', 'release/', 'data/', 'test/fixtures/', 'src/detect/extract/libarchive-glue.js'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Matching control characters is the job of the expressions that do it: the extractors read binary
      // formats (field codes, record separators, magic numbers) and names from pages are stripped of
      // terminal escapes and bidi controls before anything shows or stores them.
      'no-control-regex': 'off',
      // A leading underscore marks a parameter or binding kept for its position or to leave it out of a rest object.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `ok && done()` and `cond ? a() : b()` as statements are deliberate; a bare value still fails.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Ideographic spaces (U+3000) inside strings and templates are data: the stamp rules match them.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true, skipRegExps: true }],
      // Flags `let x = fallback; try { x = … }`, which keeps a value defined on every path. The bug it
      // would catch, reading a variable before it is set, is TypeScript's definite-assignment check.
      'no-useless-assignment': 'off',
    },
  },
);
