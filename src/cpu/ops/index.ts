// Every instruction family's rows, installed into the decoder once.
import { installRows } from '../decode';
import { raise, raiseUD } from '../exceptions';
import { GP } from '../defs';
import type { OpRow } from '../table';
import { rows as alu } from './alu';
import { rows as mov } from './mov';
import { rows as branch } from './branch';
import { rows as stack } from './stack';
import { rows as shift } from './shift';
import { rows as muldiv } from './muldiv';
import { rows as bits } from './bits';
import { rows as bcd } from './bcd';
import { rows as string } from './string';
import { rows as flagops } from './flagops';
import { rows as frame } from './frame';
import { rows as segload } from './segload';
import { rows as far } from './far';
import { rows as interrupt } from './interrupt';
import { rows as system } from './system';
import { rows as privio } from './privio';
import { rows as cpuid } from './cpuid';
import { rows as fpu } from './fpu';

export const ALL_ROWS: readonly OpRow[] = [
  ...alu, ...mov, ...branch, ...stack, ...shift, ...muldiv, ...bits, ...bcd, ...string, ...flagops,
  ...frame, ...segload, ...far, ...interrupt, ...system, ...privio, ...cpuid, ...fpu,
];

installRows(ALL_ROWS, (c) => raiseUD(c), (c) => raise(c, GP, 0));
