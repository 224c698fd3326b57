// The arguments of the client command `dols.showLocations`, as the server
// puts them in a code lens (server/src/lsp/backend.rs): the document's URI,
// the lens's position and the places to list, all LSP JSON:
//
//   ["file:///…/room.ts", {"line": 2, "character": 0}, [Location, …]]
//
// Checked here, without VS Code, so a wrong shape is reported instead of
// reaching `editor.action.showReferences`, which fails with no word.

import type { Location, Position } from './topology';

export interface ShowLocationsArgs {
  uri: string;
  position: Position;
  locations: Location[];
}

function isPosition(value: unknown): value is Position {
  if (value === null || typeof value !== 'object') return false;
  const { line, character } = value as Record<string, unknown>;
  return Number.isInteger(line) && Number.isInteger(character) && (line as number) >= 0 && (character as number) >= 0;
}

function isLocation(value: unknown): value is Location {
  if (value === null || typeof value !== 'object') return false;
  const { uri, range } = value as Record<string, unknown>;
  if (typeof uri !== 'string' || uri.length === 0 || range === null || typeof range !== 'object') return false;
  const { start, end } = range as Record<string, unknown>;
  return isPosition(start) && isPosition(end);
}

/** The checked arguments, or a sentence saying what is wrong with them. */
export function parseShowLocationsArgs(args: readonly unknown[]): ShowLocationsArgs | string {
  if (args.length !== 3) return `expected 3 arguments (uri, position, locations), got ${args.length}`;
  const [uri, position, locations] = args;
  if (typeof uri !== 'string' || uri.length === 0) return 'the first argument is not a URI string';
  if (!isPosition(position)) return 'the second argument is not an LSP position';
  if (!Array.isArray(locations)) return 'the third argument is not a list of locations';
  const bad = locations.findIndex((l) => !isLocation(l));
  if (bad >= 0) return `location ${bad} is not an LSP location`;
  return { uri, position, locations };
}
