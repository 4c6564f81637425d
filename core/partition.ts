// The AWS partition (aws, aws-cn, aws-us-gov, …) a region belongs to, for the ARNs the steps
// build: from the SDK's own partition table, so a new region or partition needs no edit here.
import { partition } from '@aws-sdk/core/client';

export function partitionOf(region: string): string {
  return partition(region).name;
}
