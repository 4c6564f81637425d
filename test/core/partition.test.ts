// ARNs the steps build carry the request region's partition: China and GovCloud requests get
// arn:aws-cn / arn:aws-us-gov, not arn:aws.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketArn, namesFor, prefixObjectsArn, serviceLinkedRoleArn } from '../../core/naming.js';
import { partitionOf } from '../../core/partition.js';
import { validateRequest, type OnboardingRequest } from '../../core/request.js';
import { projectRoot } from '../../infra/task-functions.js';
import { bucketStatements, keyUseStatement } from '../../policy/documents.js';

function requestIn(region: string, partition: string): OnboardingRequest {
  const doc = JSON.parse(readFileSync(join(projectRoot, 'examples/request.json'), 'utf8')) as { region: string; key: { arn: string } };
  doc.region = region;
  doc.key.arn = doc.key.arn.replace(/^arn:aws:kms:[^:]+:/, `arn:${partition}:kms:${region}:`);
  const result = validateRequest(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.request;
}

describe('partition-aware ARNs', () => {
  it('maps regions to their partitions', () => {
    expect(['us-east-1', 'eu-west-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-iso-east-1'].map(partitionOf)).toEqual([
      'aws',
      'aws',
      'aws-cn',
      'aws-cn',
      'aws-us-gov',
      'aws-iso',
    ]);
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-east-1', 'aws'],
  ])('builds the bucket, SLR and policy principals of a %s request in %s', (region, partition) => {
    const request = requestIn(region, partition);
    expect(bucketArn(request)).toBe(`arn:${partition}:s3:::${request.bucket.name}`);
    expect(prefixObjectsArn(request).startsWith(`arn:${partition}:s3:::`)).toBe(true);
    expect(serviceLinkedRoleArn(partitionOf(region), '111111111111', 'fs-0123456789abcdef0')).toMatch(new RegExp(`^arn:${partition}:iam::111111111111:role/`));
    const names = namesFor(request.requestId);
    const key = JSON.stringify(keyUseStatement(request, names));
    const bucket = JSON.stringify(
      bucketStatements(request, names, {
        kind: 'pattern',
        fileSystemAccountId: '111111111111',
        fileSystemRoleArn: `arn:${partition}:iam::111111111111:role/x`,
      }),
    );
    for (const text of [key, bucket]) {
      expect(text).toContain(`arn:${partition}:`);
      if (partition !== 'aws') expect(text).not.toMatch(/arn:aws:/);
    }
  });
});
