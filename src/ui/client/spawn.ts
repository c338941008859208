// The one place that starts the machine's worker (so the bundler builds it once).
export function spawnWorker(): Worker {
  performance.mark('pvplay:worker-start');
  return new Worker(new URL('../../worker/main.ts', import.meta.url), { type: 'module', name: 'pvplay-machine' });
}
