import '../cli/polyfills.js';
import 'aws-sdk-client-mock-vitest/extend';
import { createRequire } from 'node:module';
import { afterAll } from 'vitest';

// aws-sdk-client-mock stubs Client.prototype.send in sinon's default sandbox. Test files share
// modules (isolate: false), so put every client back before the next file runs. It loads the
// CommonJS build of sinon, whose default sandbox is not the ES module build's: require it too.
const sinon = createRequire(import.meta.url)('sinon') as { restore(): void };
afterAll(() => sinon.restore());
