#!/usr/bin/env node
// Builds the admin console (admin/ → dist/admin) with Vite, only when its inputs
// changed since the last build. `npm start` (npm run build) runs it through
// scripts/admin-build-if-changed.sh, which skips even starting Node when no input
// is newer than the last build; here the inputs' content decides: the same
// content costs one hash (tens of ms), a change a Vite build (about a second).
//
// Inputs: every file under admin/ and package-lock.json (the versions of React,
// graphql-ws and Vite bundled in). Their SHA-256 is kept in
// dist/admin/.build-fingerprint, written after a build succeeds (Vite empties the
// folder first, so a build that fails leaves none and the next run builds again).
// Builds are serialized by a lock folder, so `npm start` and a browser test never
// build into the same folder at once.
//
//   node scripts/admin-build.js            build if stale
//   node scripts/admin-build.js --force    build anyway
//   node scripts/admin-build.js --check    exit 1 if stale (nothing built)
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SOURCE = path.join(ROOT, 'admin');
const OUT = path.join(ROOT, 'dist', 'admin');
const FINGERPRINT = path.join(OUT, '.build-fingerprint');
const LOCK = path.join(ROOT, 'dist', '.admin-build.lock');
const STALE_LOCK_MS = 120_000;

function filesUnder(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
    })
    .sort();
}

function fingerprint() {
  const hash = crypto.createHash('sha256');
  for (const file of [...filesUnder(SOURCE), path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Same inputs, newer files (a checkout, a save without change): the fingerprint is re-dated so the quick check passes again. */
const touch = (file) => {
  const now = new Date();
  fs.utimesSync(file, now, now);
};

const current = (wanted) => fs.existsSync(path.join(OUT, 'index.html')) && fs.existsSync(FINGERPRINT) && fs.readFileSync(FINGERPRINT, 'utf8') === wanted;

async function lock() {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (const deadline = Date.now() + STALE_LOCK_MS; ; ) {
    try {
      fs.mkdirSync(LOCK);
      return () => fs.rmSync(LOCK, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // a build that died left its lock: take it over once it is older than any build takes
      const age = Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
      if (age > STALE_LOCK_MS || Date.now() > deadline) fs.rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const wanted = fingerprint();
  if (args.includes('--check')) {
    if (current(wanted)) return;
    console.error('dist/admin is stale: run `npm run admin:build` (npm start does)');
    process.exit(1);
  }
  if (!args.includes('--force') && current(wanted)) return touch(FINGERPRINT);
  const unlock = await lock();
  try {
    // another build may have finished while this one waited
    if (!args.includes('--force') && current(wanted)) return touch(FINGERPRINT);
    const started = Date.now();
    // always the production build of React and the rest, whatever NODE_ENV the caller runs under (jest sets `test`)
    process.env.NODE_ENV = 'production';
    const { build } = await import('vite');
    await build({ configFile: path.join(SOURCE, 'vite.config.mts'), mode: 'production', logLevel: 'warn' });
    fs.writeFileSync(FINGERPRINT, wanted);
    // dated when the inputs were read: a file saved during the build is newer, so the next start looks again
    fs.utimesSync(FINGERPRINT, started / 1000, started / 1000);
    console.log(`admin console built in ${((Date.now() - started) / 1000).toFixed(1)} s (dist/admin)`);
  } finally {
    unlock();
  }
}

main().catch((err) => {
  console.error(`admin console build failed: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
