import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { ISOLATION_HEADERS, coiServiceWorker } from './tools/vite/crossOriginIsolation.ts';
import { icedX86 } from './tools/vite/icedX86.ts';

export default defineConfig({
  // Relative asset paths, so the built site works from any sub-path of a static host.
  base: './',
  plugins: [react(), coiServiceWorker(), icedX86()],
  server: { headers: { ...ISOLATION_HEADERS } },
  preview: { headers: { ...ISOLATION_HEADERS } },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // React and dockview make one chunk of about 600 kB (160 kB gzipped); that is fine
    // for an app that then runs a whole machine.
    chunkSizeWarningLimit: 1024,
  },
});
