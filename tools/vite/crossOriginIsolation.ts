// Cross-origin isolation for every way pvplay is served (see src/ui/isolation/).
//
// - The dev server and `vite preview` send COOP/COEP themselves.
// - For static hosts that cannot, the site ships coi-serviceworker.js at its root and
//   loads it first thing in <head>; it adds the headers from a service worker and
//   reloads the page once. Where the headers are already in force it does nothing.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const FILE_NAME = 'coi-serviceworker.js';

function serviceWorkerSource(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('coi-serviceworker/coi-serviceworker.min.js'), 'utf8');
}

/** Serves coi-serviceworker.js in development, emits it into the built site, and loads it from index.html. */
export function coiServiceWorker(): Plugin {
  return {
    name: 'pvplay:coi-serviceworker',
    transformIndexHtml() {
      return [
        // quiet: no console chatter; the page itself explains when isolation fails.
        { tag: 'script', children: 'window.coi = { quiet: true };', injectTo: 'head-prepend' },
        { tag: 'script', attrs: { src: `./${FILE_NAME}` }, injectTo: 'head-prepend' },
      ];
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        if (!path.endsWith(`/${FILE_NAME}`)) return next();
        res.setHeader('Content-Type', 'text/javascript');
        res.end(serviceWorkerSource());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: FILE_NAME, source: serviceWorkerSource() });
    },
  };
}
