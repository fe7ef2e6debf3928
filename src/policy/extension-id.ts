/**
 * The extension's fixed ID, derived from the public `key` in manifest.json (see docs/deployment.md).
 * Policies address the extension by this ID (`3rdparty.extensions.<ID>`, ExtensionSettings, GPO),
 * so it must never change: keep the key.
 */
export const EXTENSION_ID = 'kifiiikeeilkcdcehgbnoedbcgaoafec';

/** Firefox addresses the add-on by this id (manifest browser_specific_settings.gecko.id, policies.json). */
export const GECKO_ID = 'upload-guard@upload-guard.example';
