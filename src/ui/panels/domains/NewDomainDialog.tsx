// 'New domain': start another guest beside the running ones, from a guest the
// app ships or from a PV kernel file (an ELF with Xen notes) on the user's disk.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { MAX_IMAGE_BYTES } from '../../../protocol/messages';
import { availableGuests, type ShippedGuest } from '../../client/guests';
import { workerClient } from '../../client/useWorkerClient';
import { machineStore } from '../../store/machineStore';
import { focusPanel, uiStore, useUi } from '../../store/uiStore';
import { Modal } from '../../shell/Modal';
import { freshName } from './rows';

export function NewDomainDialog() {
  const open = useUi((s) => s.newDomainOpen);
  const close = useCallback(() => uiStore.setState({ newDomainOpen: false }), []);
  if (!open) return null;
  return (
    <Modal title="New domain" onClose={close} testId="new-domain-dialog">
      <NewDomainForm onDone={close} />
    </Modal>
  );
}

function NewDomainForm({ onDone }: { onDone: () => void }) {
  const [guests, setGuests] = useState<ShippedGuest[]>([]);
  const [source, setSource] = useState<string>('');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [memMiB, setMemMiB] = useState(8);
  const [cmdline, setCmdline] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const taken = Object.values(machineStore.getState().domains).map((d) => d.name);

  useEffect(() => {
    let live = true;
    void availableGuests().then((list) => {
      if (!live) return;
      setGuests(list);
      const first = list[0];
      if (first) {
        setSource(first.url);
        setName(freshName(first.name, taken));
        setMemMiB(first.memMiB);
      } else {
        setSource('file');
      }
    });
    return () => {
      live = false;
    };
    // `taken` is read once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const pick = (value: string) => {
    setSource(value);
    const g = guests.find((x) => x.url === value);
    if (g) {
      setName(freshName(g.name, taken));
      setMemMiB(g.memMiB);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const client = workerClient();
    if (!client) return setError('the worker is not running');
    if (!name.trim()) return setError('give the domain a name');
    let image: string | ArrayBuffer;
    if (source === 'file') {
      if (!file) return setError('choose a PV kernel file');
      if (file.size > MAX_IMAGE_BYTES) return setError(`that file is larger than ${MAX_IMAGE_BYTES >> 20} MiB`);
      image = await file.arrayBuffer();
    } else {
      image = source;
    }
    setBusy(true);
    setError(null);
    const reply = await client.create(image, name.trim(), { memMiB, cmdline: cmdline.trim() });
    setBusy(false);
    if (reply.error !== undefined || reply.domid === undefined) {
      setError(reply.error ?? 'the worker did not say why');
      return;
    }
    machineStore.setState({ consoleDomid: reply.domid });
    focusPanel('console');
    onDone();
  };

  return (
    <form className="new-domain" onSubmit={(e) => void submit(e)}>
      <fieldset>
        <legend>Kernel</legend>
        {guests.map((g) => (
          <label key={g.url} className="choice">
            <input type="radio" name="source" value={g.url} checked={source === g.url} onChange={() => pick(g.url)} />
            <span>
              <strong>{g.name}</strong> <span className="muted">{g.url}</span>
              <br />
              <span className="muted">{g.description}</span>
            </span>
          </label>
        ))}
        <label className="choice">
          <input type="radio" name="source" value="file" checked={source === 'file'} onChange={() => setSource('file')} />
          <span>
            <strong>A PV kernel from your disk</strong>
            <br />
            <span className="muted">An ELF image with Xen notes, for the x86_32 PAE PV ABI.</span>
            <br />
            <input
              type="file"
              data-testid="kernel-file"
              onChange={(e) => {
                const f = e.target.files?.[0] ?? null;
                setFile(f);
                setSource('file');
                if (f) setName(freshName(f.name.replace(/\.[^.]*$/, '') || 'guest', taken));
              }}
            />
          </span>
        </label>
      </fieldset>
      <div className="form-row">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} data-testid="domain-name" />
        </label>
        <label className="grow">
          Command line <input value={cmdline} onChange={(e) => setCmdline(e.target.value)} maxLength={1000} data-testid="domain-cmdline" />
        </label>
        <label>
          Memory (MiB){' '}
          <input type="number" min={1} max={1024} value={memMiB} onChange={(e) => setMemMiB(Math.max(1, Math.min(1024, Number(e.target.value) || 1)))} />
        </label>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary-button" disabled={busy} data-testid="create-domain">
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
