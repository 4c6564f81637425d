import type { Call } from '../sim.js';

export type Handler = (call: Call) => unknown;
export type ServiceModel = Record<string, Handler>;
