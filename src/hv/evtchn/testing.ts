// Test fixture for the event-channel engine: domains whose shared_info pages sit in a real
// MachineMemory, with every kick and poll wake-up recorded. Used by the *.test.ts files here.
import { MachineMemory } from '../../mem/memory';
import { EventChannels } from './evtchn';
import { SharedInfoView } from './memory';

/** What the engine reported, one object per observer call, so tests can compare sequences. */
export type EvtchnEvent =
  | { kind: 'bind'; dom: number; port: number; ecs: number; vcpu: number; remoteDom: number; remotePort: number; virq: number }
  | { kind: 'close'; dom: number; port: number }
  | { kind: 'send'; dom: number; port: number; remoteDom: number; remotePort: number }
  | { kind: 'pending'; dom: number; port: number; vcpu: number; latched: boolean; upcall: boolean }
  | { kind: 'unmask'; dom: number; port: number; upcall: boolean };

export interface EvtchnFixture {
  ev: EventChannels;
  mem: MachineMemory;
  views: Map<number, SharedInfoView>;
  kicks: string[];
  pollWakes: string[];
  events: EvtchnEvent[];
  paused: Set<number>;
  /** Create domain `dom` with `vcpus` vcpus; its shared_info is machine frame 16 + dom. */
  add(dom: number, vcpus?: number, privileged?: boolean): SharedInfoView;
}

export function evtchnFixture(): EvtchnFixture {
  const mem = MachineMemory.create({ ramMiB: 1, vcpus: 1 });
  const views = new Map<number, SharedInfoView>();
  const kicks: string[] = [], pollWakes: string[] = [], events: EvtchnEvent[] = [];
  const paused = new Set<number>();
  const ev = new EventChannels({
    kick: (dom, vcpu) => kicks.push(`d${dom}v${vcpu}`),
    pollWake: (dom, port) => pollWakes.push(`d${dom}p${port}`),
    controllerPaused: (dom) => paused.has(dom),
    observer: {
      bound: (dom, port, ecs, vcpu, remoteDom, remotePort, virq) =>
        events.push({ kind: 'bind', dom, port, ecs, vcpu, remoteDom, remotePort, virq }),
      closed: (dom, port) => events.push({ kind: 'close', dom, port }),
      sent: (dom, port, remoteDom, remotePort) => events.push({ kind: 'send', dom, port, remoteDom, remotePort }),
      pending: (dom, port, vcpu, latched, upcall) => events.push({ kind: 'pending', dom, port, vcpu, latched, upcall }),
      unmasked: (dom, port, upcall) => events.push({ kind: 'unmask', dom, port, upcall }),
    },
  });
  return {
    ev, mem, views, kicks, pollWakes, events, paused,
    add(dom, vcpus = 2, privileged = false) {
      const view = new SharedInfoView(mem, 16 + dom, vcpus);
      view.initialise();
      views.set(dom, view);
      ev.addDomain(dom, { nrVcpus: vcpus, memory: view, privileged });
      return view;
    },
  };
}
