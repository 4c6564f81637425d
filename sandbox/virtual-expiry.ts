// The credential Expiration the sandbox's STS hands the SDK. The SDK decides whether cached
// credentials need a refresh by `expiration.getTime() - Date.now()` (five minutes before they
// expire), against the real clock; the sandbox's sessions expire on the virtual clock, which a
// long-lived process moves hours ahead in seconds. This Date reads as "now plus the session's
// remaining virtual time", so the SDK refreshes the credentials when the virtual session is about
// to end, as it would on AWS, instead of presenting an expired key (InvalidClientTokenId).
import type { Sim } from './sim.js';

export class VirtualExpiry extends Date {
  constructor(
    private readonly sim: Sim,
    private readonly expiresAt: number,
  ) {
    super(Date.now() + (expiresAt - sim.now()));
  }

  override getTime(): number {
    return Date.now() + (this.expiresAt - this.sim.now());
  }

  override valueOf(): number {
    return this.getTime();
  }

  override toISOString(): string {
    return new Date(this.getTime()).toISOString();
  }
}
