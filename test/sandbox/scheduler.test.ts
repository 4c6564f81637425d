// The scheduler behind the virtual clock: one process runs at a time, sleeps jump the clock to
// the earliest wake-up, and the seed alone decides the order of processes due at once.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../sandbox/scheduler.js';

function world(seed: number, watchdogMs?: number) {
  let now = 0;
  const scheduler = new Scheduler({ now: () => now, advanceMs: (ms) => (now += ms) }, seed, watchdogMs);
  return { scheduler, now: () => now };
}

/** Three processes that each take five turns of 0 ms; the order they ran in. */
async function turns(seed: number): Promise<string> {
  const { scheduler } = world(seed);
  const order: string[] = [];
  const runs = ['a', 'b', 'c'].map((name) => {
    const { value, done } = scheduler.fork(name, async () => {
      for (let i = 0; i < 5; i++) {
        await scheduler.sleep(0);
        order.push(name);
      }
    });
    return done(value);
  });
  await Promise.all(runs);
  return order.join('');
}

describe('Scheduler', () => {
  it('wakes sleepers in time order and jumps the clock to each wake-up', async () => {
    const { scheduler, now } = world(1);
    const woke: [string, number][] = [];
    const sleeper = (name: string, ms: number) => {
      const { value, done } = scheduler.fork(name, async () => {
        await scheduler.sleep(ms);
        woke.push([name, now()]);
      });
      return done(value);
    };
    await Promise.all([sleeper('late', 780_000), sleeper('early', 300_000)]);
    expect(woke).toEqual([
      ['early', 300_000],
      ['late', 780_000],
    ]);
    expect(now()).toBe(780_000);
  });

  it('runs one process at a time: a running one is never overtaken before its next yield', async () => {
    const { scheduler } = world(7);
    const log: string[] = [];
    const work = (name: string) => {
      const { value, done } = scheduler.fork(name, async () => {
        for (let i = 0; i < 3; i++) {
          await scheduler.sleep(0);
          log.push(`${name}+`);
          // Real asynchronous work between yields (the SDK's retry pause is a real timer).
          await new Promise((resolve) => setTimeout(resolve, 2));
          log.push(`${name}-`);
        }
      });
      return done(value);
    };
    await Promise.all([work('a'), work('b')]);
    for (let i = 0; i < log.length; i += 2) expect(log[i]?.[0]).toBe(log[i + 1]?.[0]);
  });

  it('replays the same interleaving for the same seed, and another seed can give another', async () => {
    const first = await turns(1);
    expect(await turns(1)).toBe(first);
    const others = new Set<string>();
    for (let seed = 2; seed < 10; seed++) others.add(await turns(seed));
    expect([...others].some((order) => order !== first)).toBe(true);
  });

  it('never stalls for good when the running process awaits what only a waiting one produces', async () => {
    const { scheduler, now } = world(1, 20);
    // A shared pending promise (a credential cache's AssumeRole in flight): b awaits what a makes after its sleep.
    let made: (value: string) => void = () => {};
    const shared = new Promise<string>((resolve) => (made = resolve));
    const a = scheduler.fork('a', async () => {
      await scheduler.sleep(40);
      made('credentials');
    });
    const b = scheduler.fork('b', async () => shared);
    expect(await Promise.all([a.done(a.value), b.done(b.value)])).toEqual([undefined, 'credentials']);
    expect(now()).toBe(40);
  });

  it('outside any process, a sleep just moves the clock', async () => {
    const { scheduler, now } = world(1);
    await scheduler.sleep(45);
    expect(now()).toBe(45);
  });
});
