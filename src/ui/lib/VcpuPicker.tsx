// The vcpu a panel looks at, and the control to choose it (lib/vcpuChoice.ts).
import { useMemo, useState } from 'react';
import { useMachine } from '../store/machineStore';
import { pickVcpu, vcpuOptions, type VcpuOption } from './vcpuChoice';

export interface VcpuSelection {
  options: VcpuOption[];
  chosen: VcpuOption | null;
  choose(key: string): void;
}

export function useVcpuSelection(): VcpuSelection {
  const domains = useMachine((s) => s.domains);
  const pause = useMachine((s) => s.pause);
  const consoleDomid = useMachine((s) => s.consoleDomid);
  const [wanted, setWanted] = useState<string | null>(null);
  const options = useMemo(() => vcpuOptions(domains), [domains]);
  return { options, chosen: pickVcpu(options, wanted, pause, consoleDomid), choose: setWanted };
}

export function VcpuPicker({ selection, label = 'vcpu' }: { selection: VcpuSelection; label?: string }) {
  const { options, chosen, choose } = selection;
  return (
    <label className="vcpu-picker">
      <span>{label}</span>
      <select value={chosen?.key ?? ''} onChange={(e) => choose(e.target.value)} disabled={options.length === 0}>
        {options.length === 0 && <option value="">no domain</option>}
        {options.map((o) => (
          <option key={o.key} value={o.key}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
