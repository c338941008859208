// The page's one reader of the trace ring. While any view listens, it takes the records
// written since its last look straight from shared memory (no messages), appends them to a
// bounded history and updates the event-channel activity, then tells its listeners. The trace
// panel and the event-channel panel both read from here, so the ring is drained once
// whichever of them is open.
//
// Timers, not animation frames, pace it: a loop of requestAnimationFrame makes the browser
// produce a frame every display refresh even when nothing changed, and those frames cost
// the main thread enough to cause long tasks while a guest runs flat out. So the ring is read
// every BUSY_MS while records flow (it holds 8191; a fast guest fills it in well under a
// second) and every IDLE_MS otherwise, and listeners hear at most every NOTIFY_MS.
//
// A new worker memory, or a new machine (boot, reset), starts everything over: positions in
// the history restart, and `generation` says so.
import { TraceReader } from '../../../shared/trace';
import { machineStore } from '../../store/machineStore';
import { workerStore } from '../../store/workerStore';
import { EvtchnActivity } from '../../lib/evtchn/activity';
import { SharedInfoBits } from '../../lib/evtchn/sharedInfo';
import { TraceHistory } from '../../lib/trace/history';
import { TraceLines } from '../../lib/trace/lines';

const BUSY_MS = 20, IDLE_MS = 100, NOTIFY_MS = 100;

export class TraceFeed {
  readonly history = new TraceHistory();
  readonly lines = new TraceLines(this.history);
  readonly activity = new EvtchnActivity();
  /** Records the ring overwrote before they were drained (since the last restart). */
  lost = 0;
  /** Bumped whenever something new can be shown. */
  version = 0;
  /** Bumped when the history starts over. */
  generation = 0;
  /** Wall-clock ms (performance.now) of the latest look at the ring: what the activity's times compare with. */
  now = 0;
  private reader: TraceReader | null = null;
  private memory: WebAssembly.Memory | null = null;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Something changed since listeners last heard, and when they last did. */
  private unheard = false;
  private heardAt = -Infinity;
  private readonly bits = new Map<number, { mfn: number; bits: SharedInfoBits }>();
  /** machineStore.bootSeq of the machine the history is about; -1 before the first drain. */
  private bootSeq = -1;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.timer = setTimeout(this.tick, 0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  };

  getVersion = (): number => this.version;

  private readonly tick = (): void => {
    const now = performance.now();
    this.now = now;
    const before = this.history.total;
    if (this.drain(now)) this.unheard = true;
    if (this.unheard && now - this.heardAt >= NOTIFY_MS) {
      this.unheard = false;
      this.heardAt = now;
      this.version++;
      for (const l of this.listeners) l();
    }
    this.timer = setTimeout(this.tick, this.history.total !== before || this.unheard ? BUSY_MS : IDLE_MS);
  };

  /** Take new records from the ring; say whether anything changed. */
  drain(now: number): boolean {
    const status = workerStore.getState().status;
    if (status.phase !== 'ready') return this.memory !== null && this.restart(null);
    let changed = false;
    // A new machine (boot or reset: machineStore.bootSeq moves) has a history of its own. The
    // ring goes on from where the old machine left it, so its records are skipped; on the
    // first drain, what the ring holds is this machine's.
    const bootSeq = machineStore.getState().bootSeq;
    let skipOld = false;
    if (bootSeq !== this.bootSeq) {
      skipOld = this.bootSeq >= 0;
      if (skipOld) changed = this.restart(status.memory);
      this.bootSeq = bootSeq;
    }
    if (status.memory !== this.memory) changed = this.restart(status.memory);
    // The ring was started again under us (a new machine in the same memory).
    if (this.reader && this.reader.next > 0 && this.reader.head() < this.reader.next) changed = this.restart(status.memory);
    if (!this.reader) {
      this.reader = new TraceReader(status.memory.buffer, status.layout.traceOffset);
      if (skipOld) this.reader.next = this.reader.head();
    }
    const records = this.reader.read();
    if (records.length === 0 && this.reader.lost === this.lost) return changed;
    this.history.append(records);
    this.activity.ingest(records, now, this.maskedBit);
    this.lost = this.reader.lost;
    return true;
  }

  /** A port's mask bit now, for the activity's delivery rule. */
  private readonly maskedBit = (domid: number, port: number): boolean => {
    const d = machineStore.getState().domains[domid];
    const status = workerStore.getState().status;
    if (!d || status.phase !== 'ready') return false;
    let cached = this.bits.get(domid);
    if (!cached || cached.mfn !== d.sharedInfoMfn) {
      cached = { mfn: d.sharedInfoMfn, bits: new SharedInfoBits(status.memory.buffer, status.layout.ramBytes, d.sharedInfoMfn) };
      this.bits.set(domid, cached);
    }
    return cached.bits.masked(port);
  };

  private restart(memory: WebAssembly.Memory | null): boolean {
    this.history.clear();
    this.lines.clear();
    this.activity.clear();
    this.bits.clear();
    this.lost = 0;
    this.reader = null;
    this.memory = memory;
    this.generation++;
    return true;
  }
}

/** The page's trace feed. */
export const traceFeed = new TraceFeed();
