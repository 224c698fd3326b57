// VS Code settings → what the server reads from `initializationOptions` and
// `workspace/didChangeConfiguration` (server/src/settings.rs): exactly
// `{ "rules": { "<rule-id>": "off" | "error" | "warning" | "info" | "hint" },
//    "exclude": ["<glob>", ...] }`. The server rejects unknown keys, so
// client-only settings (`dols.server.path`, `dols.trace.server`) must never
// reach it.

export const SEVERITIES = ['off', 'error', 'warning', 'info', 'hint'] as const;

export interface ServerSettings {
  rules: Record<string, string>;
  exclude: string[];
}

/** The settings the extension mirrors to the server. */
export const SERVER_SECTIONS = ['dols.rules', 'dols.exclude'];

/**
 * `dols.rules` and `dols.exclude` as the server expects them. Values of the
 * wrong type are dropped; a severity keeps the user's spelling apart from
 * case and surrounding blanks, so the server can name a wrong one.
 */
export function serverSettings(rules: unknown, exclude: unknown): ServerSettings {
  const out: ServerSettings = { rules: {}, exclude: [] };
  if (rules !== null && typeof rules === 'object' && !Array.isArray(rules)) {
    for (const [id, level] of Object.entries(rules as Record<string, unknown>)) {
      if (typeof level === 'string' && id.trim().length > 0) {
        out.rules[id.trim()] = level.trim().toLowerCase();
      }
    }
  }
  if (Array.isArray(exclude)) {
    for (const glob of exclude) {
      if (typeof glob === 'string' && glob.trim().length > 0) {
        out.exclude.push(glob.trim());
      }
    }
  }
  return out;
}

/** The `workspace/didChangeConfiguration` params for `settings`. */
export function didChangeConfigurationParams(settings: ServerSettings): { settings: { dols: ServerSettings } } {
  return { settings: { dols: settings } };
}

/** `ChatRoom` → `CHAT_ROOM`, as the server names a new binding by default. */
export function screamingSnake(name: string): string {
  const chars = Array.from(name);
  const words: string[] = [];
  let current = '';
  const isUpper = (c: string | undefined) => c !== undefined && c !== c.toLowerCase() && c === c.toUpperCase();
  const isLower = (c: string | undefined) => c !== undefined && c !== c.toUpperCase() && c === c.toLowerCase();
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  chars.forEach((c, i) => {
    if (c === '_' || c === '-' || c === '$') {
      if (current) words.push(current);
      current = '';
      return;
    }
    const prev = chars[i - 1];
    const next = chars[i + 1];
    const boundary =
      isUpper(c) && current.length > 0 && (isLower(prev) || isDigit(prev) || (isUpper(prev) && isLower(next)));
    if (boundary) {
      words.push(current);
      current = '';
    }
    current += c;
  });
  if (current) words.push(current);
  return words.join('_').toUpperCase();
}

/** A JavaScript identifier (ASCII letters, digits, `_`, `$`, and any non-ASCII letter). */
export function isIdentifier(name: string): boolean {
  return /^[\p{L}_$][\p{L}\p{N}_$\u200c\u200d]*$/u.test(name);
}
