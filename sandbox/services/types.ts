import type { Call } from '../sim.js';

type Handler = (call: Call) => unknown;
export type ServiceModel = Record<string, Handler>;
