#!/usr/bin/env node
// Runs `prisma generate` without the native schema engine download (see STACK.md):
// generation runs on Prisma's bundled WebAssembly.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  stdio: 'inherit',
  cwd: path.join(__dirname, '..'),
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(__dirname, 'no-native-schema-engine.js'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
