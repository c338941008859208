import { PROTOCOL_VERSION, type EvtchnOp } from '../../../protocol/messages';
import { workerClient } from '../../client/useWorkerClient';

/** Inject an event on a port, or mask or unmask it, through the worker (which logs it as input). */
export function evtchnOp(domid: number, port: number, op: EvtchnOp): void {
  workerClient()?.command({ v: PROTOCOL_VERSION, type: 'evtchn-op', domid, port, op });
}
