// TOML next to other extensions. dols registers the language id `toml` (so
// wrangler.toml reaches the server) but no TextMate grammar and no
// language-configuration file: VS Code keeps one grammar per language and
// one file per scope name, and the extension registered last replaces the
// other's (a TOML extension's grammar would be lost, or dols' would be,
// depending on load order); language-configuration files are merged key by
// key, the later one winning. So highlighting comes from a TOML extension.
// When none is installed, dols offers Even Better TOML once, and sets the
// comment and bracket rules itself until one appears.
// Pure: the extension list comes in as plain data, so this is unit-tested
// without VS Code.

export const EVEN_BETTER_TOML = 'tamasfe.even-better-toml';

/** The globalState key that remembers the offer was made. */
export const OFFERED_KEY = 'dols.tomlExtensionOffered';

/** What `vscode.extensions.all` gives for each extension. */
export interface ExtensionInfo {
  id: string;
  packageJSON: unknown;
}

export interface TomlSupport {
  /** Extensions with a TextMate grammar for the `toml` language. */
  grammar: string[];
  /** Extensions with a language-configuration file for `toml`. */
  configuration: string[];
}

function contributions(ext: ExtensionInfo, point: string): Record<string, unknown>[] {
  const pkg = ext.packageJSON as { contributes?: Record<string, unknown> } | null | undefined;
  const list = pkg?.contributes?.[point];
  return Array.isArray(list) ? list.filter((c): c is Record<string, unknown> => c !== null && typeof c === 'object') : [];
}

/** Which extensions other than `self` give the `toml` language a grammar and a configuration. */
export function tomlSupport(extensions: readonly ExtensionInfo[], self: string): TomlSupport {
  const others = extensions.filter((e) => e.id.toLowerCase() !== self.toLowerCase());
  return {
    grammar: others
      .filter((e) => contributions(e, 'grammars').some((g) => g.language === 'toml' && typeof g.path === 'string'))
      .map((e) => e.id),
    configuration: others
      .filter((e) => contributions(e, 'languages').some((l) => l.id === 'toml' && typeof l.configuration === 'string'))
      .map((e) => e.id),
  };
}

/** The file name of a wrangler.toml (any folder, either separator). */
export function isWranglerToml(fileName: string): boolean {
  return /(^|[\\/])wrangler\.toml$/.test(fileName);
}

/**
 * Whether to offer a TOML extension now: a wrangler.toml is in front of the
 * user, no extension highlights TOML, and the offer was never made.
 */
export function shouldOffer(fileName: string, languageId: string, support: TomlSupport, offered: boolean): boolean {
  return !offered && languageId === 'toml' && isWranglerToml(fileName) && support.grammar.length === 0;
}

/**
 * The comment and bracket rules dols sets for `toml` while no other
 * extension configures the language (a vscode.LanguageConfiguration; VS Code
 * auto-closes the brackets too).
 */
export const TOML_LANGUAGE_CONFIGURATION = {
  comments: { lineComment: '#' },
  brackets: [
    ['[', ']'],
    ['{', '}'],
  ] as [string, string][],
};
