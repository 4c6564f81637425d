import { describe, expect, it } from 'vitest';
import { requireOutput, stepOutput, type StepResults } from '../../core/step-outputs.js';

describe('step outputs', () => {
  const steps: StepResults = {
    CreateFileSystem: { changed: true, fileSystemId: 'fs-0123456789abcdef0', created: true },
    WaitForServiceLinkedRole: { done: false, attempts: 1, waitSeconds: 10 },
  };

  it('reads what an earlier step wrote', () => {
    expect(stepOutput({ steps }, 'CreateFileSystem')?.fileSystemId).toBe('fs-0123456789abcdef0');
    expect(requireOutput({ steps }, 'CreateFileSystem', 'fileSystemId', 'CreateGrant')).toBe('fs-0123456789abcdef0');
  });

  it('names the field, the step and the reader when the step has not run', () => {
    expect(() => requireOutput({ steps }, 'CreateGrant', 'grantId', 'VerifyExport')).toThrow(
      expect.objectContaining({ name: 'PrerequisiteMissing', message: 'VerifyExport needs grantId from CreateGrant, which has not run' }),
    );
  });

  it('tells a step that ran without the field from one that never ran', () => {
    expect(() => requireOutput({ steps }, 'WaitForServiceLinkedRole', 'roleArn', 'CreateGrant')).toThrow(
      expect.objectContaining({ name: 'PrerequisiteMissing', message: 'CreateGrant needs roleArn from WaitForServiceLinkedRole, which did not report it' }),
    );
  });
});
