// Each vcpu's side of event delivery, from its vcpu_info: is an upcall pending, are upcalls
// masked (the guest's "interrupts off"), which words of evtchn_pending to scan, and how many
// upcalls the trace has seen.
import type { VcpuEventState } from '../../lib/evtchn/sharedInfo';

export function VcpuStrip({ vcpus, upcalls }: { vcpus: readonly VcpuEventState[]; upcalls: readonly number[] }) {
  if (vcpus.length === 0) return null;
  return (
    <div className="evt-vcpus" role="list" aria-label="vcpus">
      {vcpus.map((v) => (
        <div key={v.vcpu} className="evt-vcpu" role="listitem" data-vcpu={v.vcpu} data-upcall-pending={v.upcallPending} data-upcall-mask={v.upcallMask}>
          <strong>vcpu {v.vcpu}</strong>
          {v.readable ? (
            <>
              <span className={`pv-tag evt-pending${v.upcallPending ? ' is-on' : ''}`} title="evtchn_upcall_pending">
                upcall {v.upcallPending ? 'pending' : 'idle'}
              </span>
              <span className={`pv-tag evt-masked${v.upcallMask ? ' is-on' : ''}`} title="evtchn_upcall_mask">
                {v.upcallMask ? 'masked' : 'unmasked'}
              </span>
              <span className="pv-muted" title="evtchn_pending_sel">sel 0x{v.pendingSel.toString(16).padStart(8, '0')}</span>
            </>
          ) : (
            <span className="pv-muted">no vcpu_info in RAM</span>
          )}
          <span className="pv-muted">{upcalls[v.vcpu] ?? 0} upcalls</span>
        </div>
      ))}
    </div>
  );
}
