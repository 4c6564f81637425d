// Reads a request document from disk. Every way it can be unreadable is reported as a
// request problem, so `run` and `validate` refuse it with exit code 1 before anything runs.
import { readFile } from 'node:fs/promises';
import type { RequestProblem } from '../core/request.js';

export type RequestFile = { ok: true; document: unknown } | { ok: false; problems: RequestProblem[] };

export async function readRequestFile(path: string): Promise<RequestFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { ok: false, problems: [{ field: '(file)', message: `cannot read ${path} (${code})` }] };
  }
  if (text.trim() === '') return { ok: false, problems: [{ field: '(file)', message: `${path} is empty; expected a JSON onboarding request` }] };
  try {
    return { ok: true, document: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problems: [{ field: '(file)', message: `${path} is not valid JSON: ${(error as Error).message}` }] };
  }
}
