// The EC2 instance types the sandbox knows, as DescribeInstanceTypes reports them: a few of each
// kind, with their real NetworkInfo.EncryptionInTransitSupported (Amazon EC2 User Guide, "Data
// protection in Amazon EC2", "Encryption in transit": the Nitro types listed there encrypt traffic
// between instances automatically; older Nitro types such as M5, C5, R5 and T3, and Xen types such
// as T2 and M4, do not). A seed may add types or redefine one (state.instanceTypes), e.g. to offer
// a type in some regions only: DescribeInstanceTypes is regional and does not know a type its
// region does not offer.
import type { InstanceTypeState, WorldState } from '../state.js';

/** The type of a client instance no seed described. */
export const DEFAULT_INSTANCE_TYPE = 'm6i.large';

const BUILT_IN: Record<string, InstanceTypeState> = {
  'm6i.large': { encryptionInTransitSupported: true },
  'c6i.large': { encryptionInTransitSupported: true },
  'r6i.large': { encryptionInTransitSupported: true },
  'm7i.large': { encryptionInTransitSupported: true },
  'c6in.xlarge': { encryptionInTransitSupported: true },
  'm5n.large': { encryptionInTransitSupported: true },
  'm5dn.large': { encryptionInTransitSupported: true },
  'c5n.large': { encryptionInTransitSupported: true },
  'm5.large': { encryptionInTransitSupported: false },
  'c5.large': { encryptionInTransitSupported: false },
  'r5.large': { encryptionInTransitSupported: false },
  't3.medium': { encryptionInTransitSupported: false },
  't3.micro': { encryptionInTransitSupported: false },
  't2.micro': { encryptionInTransitSupported: false },
  'm4.large': { encryptionInTransitSupported: false },
};

export function isBuiltInInstanceType(name: string): boolean {
  return name in BUILT_IN;
}

/** Every type offered in `region`: the built-in catalogue, with the seeded types over it. */
export function instanceTypesIn(state: WorldState, region: string): Map<string, InstanceTypeState> {
  const offered = new Map<string, InstanceTypeState>();
  for (const [name, type] of Object.entries({ ...BUILT_IN, ...state.instanceTypes })) {
    if (!type.regions || type.regions.includes(region)) offered.set(name, type);
  }
  return offered;
}
