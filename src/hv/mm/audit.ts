// A full consistency check of the frame table against the page tables in RAM,
// for tests and for a debugging "audit" command. It recounts every reference
// from first principles -- allocation, pins, vcpu base pointers, Xen-shared
// pages, and the entries of every validated table -- and compares with the
// counts the engine keeps. It also checks the safety claim directly: no present
// RW entry of any validated L1 maps a frame that is not a writable page (so no
// guest ever holds a writable mapping of a page table, a descriptor page, a
// frame of another domain's that is not writable-typed, or a Xen frame).
// References the engine cannot see (GDT/LDT frames held by vcpus, a grant
// table's own references) are passed in as `extra`.
import { DOMID_XEN, XEN_L2_FIRST_SLOT } from '../../abi/xen';
import {
  FRAME_FREE, PGF_LINEAR_DST, PGF_LINEAR_SRC, PGF_PAE_XEN_L2, PGF_PINNED, PGF_VALIDATED,
  PGT_L1, PGT_L2, PGT_L3, PGT_WRITABLE,
} from '../../shared/layout';
import { PT_ENTRIES } from './frametable';
import { PTE_A, PTE_P, PTE_RW, pteMfn } from './pte';
import type { MmState } from './state';

export interface ExtraHolds {
  /** General references held outside the engine, by frame. */
  ref?: ReadonlyMap<number, number>;
  /** Type references held outside the engine, by frame. */
  type?: ReadonlyMap<number, number>;
}

/** Every inconsistency found, as readable sentences; empty when all is well. */
export function auditFrames(s: MmState, extra: ExtraHolds = {}): string[] {
  const ft = s.ft, n = ft.frames;
  const ref = new Int32Array(n), typ = new Int32Array(n), lin = new Int32Array(n);
  const bad: string[] = [];
  const owned = new Map<number, number>();

  for (let m = 0; m < n; m++) {
    const o = ft.owner(m);
    if (o === FRAME_FREE) {
      if (ft.typeWord(m) || ft.typeCount(m) || ft.refCount(m)) bad.push(`free frame ${m} has a type or counts`);
      continue;
    }
    owned.set(o, (owned.get(o) ?? 0) + 1);
    if (o === DOMID_XEN) continue;
    const w = ft.typeWord(m);
    if (ft.isAllocated(m)) ref[m]++;
    if (ft.isXenShared(m)) typ[m]++;
    if (w & PGF_PINNED) { ref[m]++; typ[m]++; }
    if (ft.typeCount(m) > 0 && !(w & PGF_VALIDATED)) bad.push(`frame ${m} has type references but is not validated`);
    if (!(w & PGF_VALIDATED) || ft.typeCount(m) === 0) continue;
    switch (w & 0xf) {
      case PGT_L1: scanL1(s, m, ref, typ, bad); break;
      case PGT_L2: scanL2(s, m, ref, typ, lin, bad); break;
      case PGT_L3: scanL3(s, m, ref, typ, bad); break;
    }
  }
  for (const l3 of s.bases.values()) { ref[l3]++; typ[l3]++; }
  for (const [m, k] of extra.ref ?? []) ref[m] += k;
  for (const [m, k] of extra.type ?? []) typ[m] += k;

  for (let m = 0; m < n; m++) {
    const o = ft.owner(m);
    if (o === FRAME_FREE || o === DOMID_XEN) continue;
    if (ft.refCount(m) !== ref[m]) bad.push(`frame ${m}: ref count ${ft.refCount(m)}, found ${ref[m]}`);
    if (ft.typeCount(m) !== typ[m]) bad.push(`frame ${m}: type count ${ft.typeCount(m)}, found ${typ[m]}`);
    if (s.linear[m] !== lin[m]) bad.push(`frame ${m}: linear count ${s.linear[m]}, found ${lin[m]}`);
    const w = ft.typeWord(m);
    const flags = (lin[m] > 0 ? PGF_LINEAR_SRC : 0) | (lin[m] < 0 ? PGF_LINEAR_DST : 0);
    if ((w & (PGF_LINEAR_SRC | PGF_LINEAR_DST)) !== flags) bad.push(`frame ${m}: linear role flags wrong`);
  }
  for (const [o, k] of owned) if (ft.pagesOf(o) !== k) bad.push(`d${o}: pagesOf ${ft.pagesOf(o)}, owns ${k}`);
  return bad;
}

function scanL1(s: MmState, m: number, ref: Int32Array, typ: Int32Array, bad: string[]): void {
  for (let i = 0; i < PT_ENTRIES; i++) {
    const lo = s.entryLo(m, i);
    if (!(lo & PTE_P)) continue;
    const t = pteMfn(lo, s.entryHi(m, i));
    if (!s.ft.isFrame(t)) { bad.push(`L1 ${m}[${i}] maps non-RAM frame ${t}`); continue; }
    ref[t]++;
    if (!(lo & PTE_RW)) continue;
    typ[t]++;
    const w = s.ft.typeWord(t);
    if ((w & 0xf) !== PGT_WRITABLE || !(w & PGF_VALIDATED) || s.ft.owner(t) === DOMID_XEN) {
      bad.push(`L1 ${m}[${i}] maps frame ${t} (type ${w & 0xf}, owner ${s.ft.owner(t)}) writable`);
    }
  }
}

function scanL2(s: MmState, m: number, ref: Int32Array, typ: Int32Array, lin: Int32Array, bad: string[]): void {
  const pae = (s.ft.typeWord(m) & PGF_PAE_XEN_L2) !== 0;
  const last = pae ? XEN_L2_FIRST_SLOT : PT_ENTRIES;
  for (let i = 0; i < last; i++) {
    const lo = s.entryLo(m, i);
    if (!(lo & PTE_P)) continue;
    const t = pteMfn(lo, s.entryHi(m, i));
    if (t === m) continue;
    ref[t]++; typ[t]++;
    const tt = s.ft.type(t);
    if (tt === PGT_L2) {
      lin[m]++; lin[t]--;
      if (s.ft.typeWord(m) & PGF_LINEAR_DST || s.linear[t] > 0) bad.push(`L2 ${m}[${i}]: linear roles mixed`);
      if (lo & PTE_RW) bad.push(`L2 ${m}[${i}] is a writable linear entry`);
    } else if (tt !== PGT_L1) bad.push(`L2 ${m}[${i}] points at frame ${t} of type ${tt}`);
  }
  if (!pae) return;
  for (let i = XEN_L2_FIRST_SLOT; i < PT_ENTRIES; i++) {
    const l1 = s.ft.m2pL1s[i - XEN_L2_FIRST_SLOT];
    const want = l1 === undefined ? 0 : (l1 << 12) | PTE_P | PTE_A;
    if ((s.entryLo(m, i) & ~0x40) !== want || s.entryHi(m, i) !== 0) bad.push(`L2 ${m}: Xen slot ${i} altered`);
  }
}

function scanL3(s: MmState, m: number, ref: Int32Array, typ: Int32Array, bad: string[]): void {
  for (let i = 0; i < 4; i++) {
    const lo = s.entryLo(m, i);
    if (!(lo & PTE_P)) {
      if (i === 3) bad.push(`L3 ${m}: slot 3 not present`);
      continue;
    }
    const t = pteMfn(lo, s.entryHi(m, i));
    ref[t]++; typ[t]++;
    const pae = (s.ft.typeWord(t) & PGF_PAE_XEN_L2) !== 0;
    if (s.ft.type(t) !== PGT_L2 || pae !== (i === 3)) bad.push(`L3 ${m}[${i}] points at a wrong kind of L2 (${t})`);
  }
  for (let i = 4; i < PT_ENTRIES; i++) {
    if (s.entryLo(m, i) !== 0 || s.entryHi(m, i) !== 0) { bad.push(`L3 ${m}: slot ${i} not zero`); break; }
  }
}
