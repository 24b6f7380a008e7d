/**
 * Which `pytrix.*` settings go to the server: every key the extension declares
 * in `contributes.configuration` (generated from the server's own model by
 * scripts/sync_settings.py) except the client-only ones.
 */

const CLIENT_ONLY = ["pytrix.server.", "pytrix.trace."];

/** The server's setting names (without the `pytrix.` prefix), from the extension's package.json. */
export function serverSettingKeys(packageJson: unknown): string[] {
  const properties = (packageJson as { contributes?: { configuration?: { properties?: Record<string, unknown> } } } | undefined)
    ?.contributes?.configuration?.properties;
  if (!properties) return [];
  return Object.keys(properties)
    .filter((key) => key.startsWith("pytrix.") && !CLIENT_ONLY.some((prefix) => key.startsWith(prefix)))
    .map((key) => key.slice("pytrix.".length));
}

/** The values of `keys` from a configuration section, leaving out the unset ones. */
export function pickSettings(get: (key: string) => unknown, keys: readonly string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const value = get(key);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}
