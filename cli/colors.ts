// Colours for the human-readable output: on only for a terminal, and never when the user set
// NO_COLOR (no-color.org: present and not empty) or the terminal is "dumb". FORCE_COLOR turns
// them on for a pipe (a CI log that renders them). Machine output (--json) never has any.
import picocolors from 'picocolors';
import type { Colors } from 'picocolors/types.js';

export type Palette = Colors;

export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR']) return false;
  if (env['FORCE_COLOR'] && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

export const palette = (enabled: boolean | undefined): Palette => picocolors.createColors(enabled === true);
