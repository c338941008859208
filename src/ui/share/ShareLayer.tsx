// Over the workspace, at its top: the banner of a machine opened from a link or
// a file (what it is, and Resume), what is under way, and the last word on a
// share, save, restore or step back, with the link just made.
import { useEffect } from 'react';
import { PROTOCOL_VERSION } from '../../protocol/messages';
import { workerClient } from '../client/useWorkerClient';
import { useMachine } from '../store/machineStore';
import { shareStore, useShare } from './shareStore';
import { bannerText } from './text';
import './share.css';

/** How long an info message stays (errors stay until closed). */
const INFO_MS = 12_000;

function BannerBox() {
  const banner = useShare((s) => s.banner);
  const phase = useMachine((s) => s.phase);
  if (!banner) return null;
  const resume = () => {
    workerClient()?.command({ v: PROTOCOL_VERSION, type: 'control', action: { kind: 'run' } });
    shareStore.setState({ banner: null });
  };
  return (
    <div className="share-banner" role="status" data-testid="share-banner" data-kind={banner.summary.kind}>
      <span className="share-banner-text">{bannerText(banner)}</span>
      <button type="button" className="primary-button" onClick={resume} disabled={phase !== 'paused'} data-testid="share-resume">
        Resume
      </button>
      <button type="button" className="small-button" onClick={() => shareStore.setState({ banner: null })} aria-label="Close the banner">
        Close
      </button>
    </div>
  );
}

function MessageBox() {
  const message = useShare((s) => s.message);
  const link = useShare((s) => s.link);
  useEffect(() => {
    if (!message || message.tone !== 'info') return;
    const seq = message.seq;
    const t = setTimeout(() => {
      if (shareStore.getState().message?.seq === seq) shareStore.setState({ message: null });
    }, INFO_MS);
    return () => clearTimeout(t);
  }, [message]);
  if (!message) return null;
  return (
    <div className={`share-message share-${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'} data-testid="share-message" data-tone={message.tone}>
      <span>{message.text}</span>
      {message.tone === 'info' && link && (
        <input className="share-link" readOnly value={link.url} aria-label="The link" data-testid="share-link" onFocus={(e) => e.currentTarget.select()} />
      )}
      <button type="button" className="small-button" onClick={() => shareStore.setState({ message: null })} aria-label="Close the message">
        Close
      </button>
    </div>
  );
}

export function ShareLayer() {
  const busy = useShare((s) => s.busy);
  return (
    <div className="share-layer">
      <BannerBox />
      {busy && (
        <div className="share-busy" role="status" data-testid="share-busy">
          {busy}…
        </div>
      )}
      <MessageBox />
    </div>
  );
}
