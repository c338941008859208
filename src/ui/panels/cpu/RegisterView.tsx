// The register grid of the CPU panel: general registers, EIP and EFLAGS (decoded),
// selectors, control registers, ring and mode. A value that differs from the
// baseline (pauseHistory.ts) is highlighted.
import { SEG_NAMES } from '../../../shared/layout';
import {
  REG_INDEX, crBits, describeSelector, eflagsBits, eflagsIopl, modeText, ringText, segmentCache, type RegName,
} from './registers';
import { hex16, hex32 } from '../../lib/hex';

interface Props {
  regs: Int32Array;
  snap: Int32Array;
  changed: boolean[];
  /** Instructions the vcpu has retired. */
  retired: number;
  vcpuState: string;
}

function Reg({ name, value, changed, note, wide }: { name: RegName | string; value: string; changed: boolean; note?: string; wide?: boolean }) {
  return (
    <div className={`reg${changed ? ' reg-changed' : ''}${wide ? ' reg-wide' : ''}`} data-reg={name} title={changed ? 'changed since the last pause' : undefined}>
      <span className="reg-name">{name}</span>
      <span className="reg-value" data-testid={`cpu-${name}`}>{value}</span>
      {note && <span className="reg-note">{note}</span>}
    </div>
  );
}

export function RegisterView({ regs, snap, changed, retired, vcpuState }: Props) {
  const ch = (n: RegName) => changed[REG_INDEX[n]];
  const v = (n: RegName) => snap[REG_INDEX[n]];
  const eflags = v('eflags');
  const cpl = v('cpl');
  return (
    <div className="cpu-registers">
      <div className="reg-grid">
        {(['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp'] as const).map((n) => (
          <Reg key={n} name={n} value={hex32(v(n))} changed={ch(n)} />
        ))}
      </div>
      <div className="reg-grid">
        <Reg name="eip" value={hex32(v('eip'))} changed={ch('eip')} />
        <Reg name="eflags" value={hex32(eflags)} changed={ch('eflags')} note={`IOPL ${eflagsIopl(eflags)}`} />
      </div>
      <div className="flag-row" aria-label="EFLAGS bits">
        {eflagsBits(eflags).map((b) => (
          <span key={b.name} className={b.set ? 'flag flag-set' : 'flag'} title={`${b.about}: ${b.set ? 'set' : 'clear'}`} data-flag={b.name} data-set={b.set}>
            {b.name}
          </span>
        ))}
      </div>
      <div className="reg-grid reg-grid-3">
        {SEG_NAMES.map((n, i) => {
          const c = segmentCache(regs, i);
          return (
            <Reg key={n} name={n} value={hex16(v(n))} changed={ch(n)}
              note={`${describeSelector(v(n))}; base ${hex32(c.base)}, limit ${hex32(c.limit)}`} />
          );
        })}
      </div>
      <div className="reg-grid">
        <Reg name="cr0" value={hex32(v('cr0'))} changed={ch('cr0')} note={crBits('cr0', v('cr0')).join(' ')} wide />
        <Reg name="cr2" value={hex32(v('cr2'))} changed={ch('cr2')} note="last page-fault address" wide />
        <Reg name="cr3" value={hex32(v('cr3'))} changed={ch('cr3')} note={`L3 at mfn ${(v('cr3') >>> 12).toString(16)}`} wide />
        <Reg name="cr4" value={hex32(v('cr4'))} changed={ch('cr4')} note={crBits('cr4', v('cr4')).join(' ')} wide />
      </div>
      <p className="cpu-mode">
        <span className={ch('cpl') ? 'reg-changed' : undefined} data-testid="cpu-ring">{ringText(cpl)}</span>
        {' · '}
        {modeText(regs)}
        {' · vcpu '}
        {vcpuState}
        {' · '}
        <span data-testid="cpu-instructions" data-count={retired}>{retired.toLocaleString('en-US')} instructions</span>
      </p>
    </div>
  );
}
