// The CPU panel: one vcpu's registers and the code around its EIP, read from its
// register file and through its page tables in shared memory. Live while the
// machine runs (registers ten times a second, code four times), exact when it is
// paused; values that changed since the last pause are highlighted.
import { useEffect, useMemo, useRef, useState } from 'react';
import { pagingOf } from '../../../shared/guestPaging';
import { R, SEG_CS } from '../../../shared/layout';
import { useLiveValue } from '../../lib/useFrameLoop';
import { usePanelVisible } from '../../lib/usePanelVisible';
import { useSharedViews, type SharedViews } from '../../lib/sharedViews';
import { machineStore, useMachine } from '../../store/machineStore';
import { Disassembler, readCodeWindow, type DisasmLine } from './disasm';
import { DisasmView } from './DisasmView';
import { useIced } from './icedLoader';
import { PauseHistory } from './pauseHistory';
import { REG_COUNT, changedFields, readRegisters, retiredOf, segmentCache } from './registers';
import { RegisterView } from './RegisterView';
import { VcpuPicker, useVcpuSelection } from '../../lib/VcpuPicker';
import '../../lib/chrome.css';
import './cpu.css';

/** Instructions shown before EIP (when they can be found) and from EIP on. */
const BEFORE = 4, AFTER = 16;
/** Bytes read around EIP: enough for the backward guess and AFTER long instructions. */
const BACK_BYTES = 64, AHEAD_BYTES = AFTER * 15;

interface RegState {
  slot: number;
  snap: Int32Array;
  changed: boolean[];
  retired: number;
}

interface Listing {
  key: string;
  lines: DisasmLine[];
  cutShort: boolean;
}

const sameRegs = (a: RegState | null, b: RegState | null) =>
  a === b || (!!a && !!b && a.slot === b.slot && a.retired === b.retired && a.snap.every((x, i) => x === b.snap[i]) && a.changed.every((x, i) => x === b.changed[i]));

/** Record every vcpu's registers whenever the machine pauses. */
function usePauseHistory(views: SharedViews | null): PauseHistory {
  const [history] = useState(() => new PauseHistory());
  useEffect(() => {
    history.clear();
    if (!views) return;
    return machineStore.subscribe((s, prev) => {
      if (s.phase !== 'paused' || !s.pause || s.pause === prev.pause) return;
      const snaps = new Map<number, Int32Array>();
      for (const d of Object.values(s.domains)) {
        for (const v of d.vcpus) {
          const r = views.regFile(v.slot);
          if (!r) continue;
          const snap = new Int32Array(REG_COUNT);
          readRegisters(r, snap);
          snaps.set(v.slot, snap);
        }
      }
      history.record(snaps);
    });
  }, [views, history]);
  return history;
}

export function CpuPanel() {
  const views = useSharedViews();
  const [root, visible] = usePanelVisible();
  const phase = useMachine((s) => s.phase);
  const pauseAt = useMachine((s) => s.pause?.instructions ?? -1);
  const domains = useMachine((s) => s.domains);
  const selection = useVcpuSelection();
  const chosen = selection.chosen;
  const history = usePauseHistory(views);
  const [syntax, setSyntax] = useState<'att' | 'intel'>('att');
  const { iced, error } = useIced();
  const disassembler = useMemo(() => (iced ? new Disassembler(iced, syntax) : null), [iced, syntax]);
  useEffect(() => () => disassembler?.dispose(), [disassembler]);

  const regs = chosen && views ? views.regFile(chosen.slot) : null;
  const running = phase === 'running';
  const live = visible && regs !== null;

  const regState = useLiveValue<RegState | null>(
    () => {
      if (!regs || !chosen) return null;
      const snap = new Int32Array(REG_COUNT);
      readRegisters(regs, snap);
      const changed = changedFields(history.baseline(chosen.slot, phase === 'paused'), snap);
      return { slot: chosen.slot, snap, changed, retired: retiredOf(regs) };
    },
    sameRegs, live, running ? 100 : 50, null,
  );

  const cache = useRef<Listing | null>(null);
  const listing = useLiveValue<Listing | null>(
    () => {
      if (!regs || !views || !disassembler || !chosen) return null;
      const p = pagingOf(regs);
      const cs = segmentCache(regs, SEG_CS);
      const eip = regs[R.EIP] >>> 0;
      // A new pause reads the code afresh, so what a paused panel shows is exact.
      const key = `${chosen.slot}:${eip}:${p.cr3}:${cs.base}:${syntax}:${pauseAt}`;
      // While paused nothing moves: the same place is the same code.
      if (!running && cache.current?.key === key) return cache.current;
      const w = readCodeWindow(views.ram, p, cs.base, eip, BACK_BYTES, AHEAD_BYTES);
      cache.current = { key, lines: disassembler.around(w, BEFORE, AFTER), cutShort: w.cutShort };
      return cache.current;
    },
    (a, b) => a === b, live && disassembler !== null, running ? 250 : 50, null,
  );

  const vcpuState = chosen ? (domains[chosen.domid]?.vcpus.find((v) => v.id === chosen.vcpu)?.state ?? '?') : '';
  const note = error ? `The disassembler could not be loaded: ${error}` : disassembler ? null : 'Loading the disassembler…';

  return (
    <section className="cpu-panel" data-panel="cpu" data-phase={phase} ref={root}>
      <header className="chrome-header">
        <h2>CPU</h2>
        <VcpuPicker selection={selection} />
        <span className="chrome-state">{running ? 'live' : phase === 'paused' ? 'paused: exact' : phase}</span>
        <span className="chrome-spacer" />
        <button
          type="button"
          className="chrome-button"
          onClick={() => setSyntax(syntax === 'att' ? 'intel' : 'att')}
          title="Switch between AT&T (gas, objdump) and Intel syntax"
        >
          {syntax === 'att' ? 'AT&T' : 'Intel'}
        </button>
      </header>
      {!views || !chosen || !regs || !regState ? (
        <p className="chrome-empty">{!views ? 'The machine is not ready yet.' : 'No vcpu to show: no domain is running.'}</p>
      ) : (
        <div className="cpu-body">
          <RegisterView regs={regs} snap={regState.snap} changed={regState.changed} retired={regState.retired} vcpuState={vcpuState} />
          <DisasmView lines={listing?.lines ?? null} note={note} cutShort={listing?.cutShort ?? false} />
        </div>
      )}
    </section>
  );
}
