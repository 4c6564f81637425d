// The CLI run in-process, as a test drives it: the exit code and everything it printed, one
// line per call of its output functions.
import { main } from '../../cli/main.js';

export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'fsx-onboard', ...args], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}
