// CloudTrail LookupEvents: the caller's account's management events in the client's region,
// once CloudTrail has delivered them (Sim.cloudTrailDeliveryMs after the call).
import { lookupEvents } from '../cloudtrail.js';
import type { ServiceModel } from './types.js';

export const cloudtrail: ServiceModel = {
  LookupEvents(call) {
    call.sim.authorize('cloudtrail', call.caller, { action: 'cloudtrail:LookupEvents', resource: '*', resourceAccount: call.caller.account });
    return lookupEvents(call.sim.state, call.caller.account, call.region, call.input, call.sim.now() - call.sim.cloudTrailDeliveryMs);
  },
};
