// Wait states take no real time locally: the interpreter reads each state's override when the
// Wait runs, and the getter spends the state's Seconds on the sandbox's virtual clock instead.
// The interpreter's wait with an override of 0 is synchronous, so the getter cannot suspend
// anything itself: it tells the scheduler, and the Wait's execution (or branch) is suspended
// until its wake-up at its next yield, the start of the next Task (only Choice states, which read
// no clock, lie between), or at its end.
import type { AslDefinition } from '../../workflow/render.js';

type States = Record<string, Record<string, unknown>>;

export function virtualWaits(
  definition: AslDefinition,
  scheduler: { sleepLater(ms: number): void },
  /**
   * The seconds of a Wait with a SecondsPath (a poll's pause), which the interpreter does not
   * hand the override: the runner reads them from the result of the check just before it.
   */
  secondsFromPath: (state: string) => number,
  skip: readonly string[] = [],
  /** Told each time a Wait is about to spend its seconds (the progress shows a pause with when and how long). */
  onWait: (state: string, seconds: number) => void = () => {},
): Record<string, number> {
  const overrides: Record<string, number> = {};
  const visit = (states: States) => {
    for (const [name, state] of Object.entries(states)) {
      if (state['Type'] === 'Wait') {
        const secondsOf = () => (skip.includes(name) ? 0 : state['SecondsPath'] !== undefined ? secondsFromPath(name) : Number(state['Seconds'] ?? 0));
        Object.defineProperty(overrides, name, {
          enumerable: true,
          get: () => {
            const seconds = secondsOf();
            onWait(name, seconds);
            scheduler.sleepLater(seconds * 1000);
            return 0;
          },
        });
      }
      if (state['Type'] === 'Parallel') for (const branch of state['Branches'] as { States: States }[]) visit(branch.States);
    }
  };
  visit(definition.States as States);
  return overrides;
}
