// Machine memory is a SharedArrayBuffer, which browsers give only to pages that are
// cross-origin isolated (served with COOP same-origin and COEP require-corp or
// credentialless). On static hosts that cannot set those headers, index.html loads
// coi-serviceworker, which adds them from a service worker and reloads the page once.

export type Verdict =
  /** SharedArrayBuffer is available: start the playground. */
  | 'isolated'
  /** Not isolated yet, but the service worker may be about to reload the page. */
  | 'waiting-for-service-worker'
  /** Not isolated, and nothing on the page can change that. */
  | 'unavailable';

export interface IsolationFacts {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  secureContext: boolean;
  serviceWorkerApi: boolean;
  serviceWorkerControlling: boolean;
}

export function readIsolationFacts(): IsolationFacts {
  const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    secureContext: globalThis.isSecureContext === true,
    serviceWorkerApi: sw !== undefined,
    serviceWorkerControlling: sw?.controller != null,
  };
}

export function verdict(f: IsolationFacts): Verdict {
  if (f.crossOriginIsolated && f.sharedArrayBuffer) return 'isolated';
  // The service worker can help only in a secure context, and only until it controls
  // the page: once it does and the page is still not isolated, it has failed.
  if (f.secureContext && f.serviceWorkerApi && !f.serviceWorkerControlling) return 'waiting-for-service-worker';
  return 'unavailable';
}
