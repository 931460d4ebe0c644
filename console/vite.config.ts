import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into console/dist and served by the API under /console (src/http/internal/middleware/console.ts).
// The CSP there allows scripts and styles from 'self' only: no inline module-preload polyfill.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  // `npx vite --config console/vite.config.ts`: hot reload against a running service (npm start).
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/readyz', '/metrics'].map((path) => [path, process.env.OMS_API_URL ?? 'http://localhost:3000']),
    ),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
});
