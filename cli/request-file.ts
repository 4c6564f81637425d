// Reads a request document from disk. Every way it can be unreadable is reported as a
// request problem, so `run` and `validate` refuse it with exit code 1 before anything runs.
import { open } from 'node:fs/promises';
import type { RequestProblem } from '../core/request.js';

export type RequestFile = { ok: true; document: unknown } | { ok: false; problems: RequestProblem[] };

/**
 * A real request is a few kilobytes. A larger file is the wrong file (a log, a state dump): it is
 * refused by its size, so none of it is parsed or echoed in an error message.
 */
export const MAX_REQUEST_FILE_BYTES = 1024 * 1024;

const fileProblem = (message: string): RequestFile => ({ ok: false, problems: [{ field: '(file)', message }] });
const tooLarge = (path: string, size: string) =>
  fileProblem(`${path} is ${size} bytes; a request file may be at most ${MAX_REQUEST_FILE_BYTES} bytes (1 MiB), so it was not read`);

/** At most MAX_REQUEST_FILE_BYTES + 1 bytes, so a pipe or a device never fills memory. */
async function readCapped(path: string): Promise<{ text: string } | { tooLarge: string }> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > MAX_REQUEST_FILE_BYTES) return { tooLarge: String(info.size) };
    const buffer = Buffer.alloc(MAX_REQUEST_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_REQUEST_FILE_BYTES) return { tooLarge: `more than ${MAX_REQUEST_FILE_BYTES}` };
    }
    return { text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    await handle.close();
  }
}

export async function readRequestFile(path: string): Promise<RequestFile> {
  let read: Awaited<ReturnType<typeof readCapped>>;
  try {
    read = await readCapped(path);
  } catch (error) {
    return fileProblem(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if ('tooLarge' in read) return tooLarge(path, read.tooLarge);
  const { text } = read;
  if (text.trim() === '') return fileProblem(`${path} is empty; expected a JSON onboarding request`);
  try {
    return { ok: true, document: JSON.parse(text) };
  } catch (error) {
    return fileProblem(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
