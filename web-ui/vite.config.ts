import { defineConfig } from 'vitest/config';

// The dashboard is served by the system manager at "/"; during development, `npm run dev`
// forwards API calls to a system manager on localhost:8080.
export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': 'http://localhost:8080', '/v3': 'http://localhost:8080' } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
