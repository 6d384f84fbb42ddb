/**
 * `npm run test:chaos -- --runs N [--seed S] [--commands C] [--shrink]`: the
 * randomised money-and-bookings test (test/chaos) with more runs than CI's fixed
 * seed, and a random seed unless one is given. The seed is printed first; a
 * failure prints the seed and the failing command sequence, so it can be
 * replayed with --seed.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv.includes('--help')) {
  console.log('usage: npm run test:chaos -- [--runs N (default 50)] [--seed S (default random)] [--commands C (default 30)] [--shrink]');
  process.exit(0);
}
const runs = Number(arg('runs') ?? 50);
const seed = Number(arg('seed') ?? Math.floor(Math.random() * 2 ** 31));
const commands = Number(arg('commands') ?? 30);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !Number.isInteger(commands) || commands < 1) {
  console.error('--runs, --seed and --commands take whole numbers');
  process.exit(2);
}
console.log(`chaos: seed ${seed}, ${runs} runs of up to ${commands} commands (replay with --seed ${seed})`);
const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', path.join('node_modules', 'jest', 'bin', 'jest.js'), 'test/chaos', '--testTimeout', String(runs * 60_000)],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      CHAOS_RUNS: String(runs),
      CHAOS_SEED: String(seed),
      CHAOS_COMMANDS: String(commands),
      CHAOS_TIMEOUT_MS: String(runs * 60_000),
      CHAOS_SHRINK: process.argv.includes('--shrink') ? 'true' : 'false',
    },
  },
);
if (result.status !== 0) console.error(`chaos: FAILED with seed ${seed}; replay: npm run test:chaos -- --runs ${runs} --seed ${seed}`);
process.exit(result.status ?? 1);
