/**
 * The admin console's build: admin/ → dist/admin, served by the service at
 * /admin (src/http/admin-console.ts). `npm start` runs it through
 * scripts/admin-build.js only when its inputs changed. `npm run admin:dev` serves
 * it with hot reload on :5173, talking to a service started with `npm start`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const service = process.env.ADMIN_DEV_API ?? 'http://localhost:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  // index.html and src/ only: nothing is copied from a public folder
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // every supported browser preloads modules itself: no polyfill in the bundle
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/graphql': { target: service, ws: true },
      '/admin/development-token': service,
    },
  },
});
