// What the live panels cost per screen refresh, on a pvos machine with 256 MiB of
// RAM (65,536 frames, the most the page-types map is made for): a paint pass of
// the frame map when nothing changed (what it does on almost every frame), a full
// repaint, and one disassembly window around EIP (the CPU panel, four a second).
// The figures are per call in milliseconds; a 60 Hz frame has 16.7.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as iced from 'iced-x86';
import { Machine } from '../src/machine/machine';
import { frameTableView } from '../src/shared/frames';
import { pagingOf, ramViews } from '../src/shared/guestPaging';
import { R, SEG_CS } from '../src/shared/layout';
import { palette } from '../src/ui/panels/pagetypes/palette';
import { FramePainter } from '../src/ui/panels/pagetypes/painter';
import { Disassembler, readCodeWindow } from '../src/ui/panels/cpu/disasm';
import { segmentCache } from '../src/ui/panels/cpu/registers';
import { makeGuests, median, now, ROOT, type Bench, type BenchContext } from './harness';

function timeEach(runs: number, fn: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    fn();
    ms.push(now() - t);
  }
  return median(ms);
}

export default {
  name: 'views',
  title: 'live panels per refresh: frame-map paint over 65,536 frames, disassembly around EIP (ms per call)',
  run(ctx: BenchContext): void {
    const err = makeGuests(['pvos']);
    if (err) {
      ctx.problem(`pvos could not be built: ${err}`);
      return;
    }
    const m = new Machine({ ramMiB: 256, maxVcpus: 1 });
    const dom = m.createGuest({ name: 'pvos', kernel: readFileSync(join(ROOT, 'guests/build/kernel/pvos.elf')), memMiB: 32 }).dom;
    m.run(200_000_000);
    const { layout } = m.mem;
    const ft = frameTableView(m.mem.buffer, layout.frameTableOffset, layout.frames);
    ctx.log(`${layout.frames} frames, ${m.executed.toLocaleString('en-US')} instructions run`);

    const painter = new FramePainter(layout.frames);
    painter.resize(256, 2);
    const overlay = new Uint8Array(layout.frames);
    const pal = palette('dark');
    const opts = { byOwner: false, owner: null };
    painter.paint(ft, overlay, pal, opts);
    ctx.figure({ name: 'map pass, nothing changed', value: timeEach(200, () => painter.paint(ft, overlay, pal, opts)), unit: 'ms', digits: 3,
      note: `median of 200 passes over ${layout.frames} frames` });
    ctx.figure({ name: 'map full repaint', value: timeEach(50, () => { painter.invalidate(); painter.paint(ft, overlay, pal, opts); }), unit: 'ms', digits: 3,
      note: '2 px cells, 256 columns; median of 50' });

    const r = dom.vcpus[0].cpu.r;
    const ram = ramViews(m.mem.buffer, m.mem.ramBytes);
    const dis = new Disassembler(iced, 'att');
    const once = () => {
      const w = readCodeWindow(ram, pagingOf(r), segmentCache(r, SEG_CS).base, r[R.EIP] >>> 0, 64, 240);
      return dis.around(w, 4, 16);
    };
    ctx.log(`EIP ${(r[R.EIP] >>> 0).toString(16)}: ${once().find((l) => l.at === 'current')?.text ?? 'no code'}`);
    ctx.figure({ name: 'disassembly window', value: timeEach(50, once), unit: 'ms', digits: 2, note: '4 before (48 backward decodings), 16 from EIP; median of 50' });
    dis.dispose();
  },
} satisfies Bench;
