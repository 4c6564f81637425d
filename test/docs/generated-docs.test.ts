import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedDocs } from '../../scripts/generated-docs.js';

describe('generated docs', () => {
  it.each(Object.entries(generatedDocs()))('%s matches the code (run `npm run docs` after changing it)', (path, content) => {
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('documents every request field in the reference', () => {
    const reference = generatedDocs()['docs/request.md']!;
    for (const field of [
      'requestId',
      'onFailure',
      'fileSystem.deploymentType',
      'fileSystem.existingFileSystemId',
      'bucket.prefix',
      'key.arn',
      'testExport.mode',
      'testExport.clientInstanceId',
    ]) {
      expect(reference).toContain(`\`${field}\``);
    }
  });
});
