import type { IsolationFacts } from './isolation';

/** Shown instead of the playground when the page cannot have a SharedArrayBuffer. */
export function IsolationRequired({ facts }: { facts: IsolationFacts }) {
  return (
    <div className="isolation-required" data-testid="isolation-required">
      <h1>pvplay needs a cross-origin isolated page</h1>
      <p>
        The emulated machine&apos;s memory is a <code>SharedArrayBuffer</code>: the worker that runs the machine
        and this page, which draws the panels, read the same bytes. Browsers give out shared memory only to pages
        that are <em>cross-origin isolated</em>, and this one is not.
      </p>
      <h2>What to do</h2>
      <ul>
        <li>
          <strong>If you serve pvplay yourself,</strong> send these headers with every file:
          <pre>{'Cross-Origin-Opener-Policy: same-origin\nCross-Origin-Embedder-Policy: require-corp'}</pre>
          (<code>credentialless</code> also works for the second). <code>npm start</code> and{' '}
          <code>npm run preview</code> already do.
        </li>
        <li>
          <strong>On a static host that cannot set headers,</strong> pvplay installs a small service worker that adds
          them and reloads the page once. That needs https (or localhost) and a browser that allows service workers
          for this site: not a private window that blocks them, not with site data blocked.
          {facts.serviceWorkerControlling && ' It is installed here, yet the page is still not isolated: reload once.'}
        </li>
        <li>
          <strong>Use a current browser:</strong> Chrome or Edge 92+, Firefox 79+, or Safari 15.2+.
        </li>
      </ul>
      <h2>What this page sees</h2>
      <dl className="facts">
        <Fact name="crossOriginIsolated" value={facts.crossOriginIsolated} />
        <Fact name="SharedArrayBuffer available" value={facts.sharedArrayBuffer} />
        <Fact name="secure context (https or localhost)" value={facts.secureContext} />
        <Fact name="service workers available" value={facts.serviceWorkerApi} />
        <Fact name="service worker controls this page" value={facts.serviceWorkerControlling} />
      </dl>
    </div>
  );
}

function Fact({ name, value }: { name: string; value: boolean }) {
  return (
    <>
      <dt>{name}</dt>
      <dd className={value ? 'yes' : 'no'}>{value ? 'yes' : 'no'}</dd>
    </>
  );
}
