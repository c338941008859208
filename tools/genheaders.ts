// `npm run genheaders`: write guests/include/xen/abi.h from src/abi/xen.ts, so the C
// guests and the TypeScript hypervisor share one source of ABI numbers.
//
// Every numeric export becomes a #define: a plain number keeps its name; an object of
// numbers gives one #define per key, prefixed as Xen's headers spell them (hypercall
// numbers `__HYPERVISOR_name`, errnos `XEN_EPERM`, others `OBJECT_KEY`). The struct
// layouts below are written out as C structs whose field offsets come from the same
// export tables; the tool checks that the fields it lays out land on those offsets,
// and the header repeats the check with _Static_assert so gcc -m32 agrees too.
// tools/genheaders.test.ts fails when the committed header is stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as abi from '../src/abi/xen';

export const HEADER_PATH = 'guests/include/xen/abi.h';

/** C name prefixes for export tables whose Xen spelling is not `EXPORT_KEY`. */
const PREFIX: Record<string, string> = {
  HC: '__HYPERVISOR_',
  E: 'XEN_',
  VMASST: 'VMASST_TYPE_',
};

function cValue(v: number): string {
  if (v < 0) return `(${v})`;
  return v >= 0x1000 ? '0x' + v.toString(16).toUpperCase() : String(v);
}

function defines(): string[] {
  // Sorted by name: module namespaces are, but not under every loader (Vitest keeps
  // declaration order), and the header must come out the same everywhere.
  const scalars: string[] = ['/* Single values */'];
  const tables: string[] = [];
  const skipped: string[] = [];
  const exports = abi as Record<string, unknown>;
  for (const name of Object.keys(exports).sort()) {
    const value = exports[name];
    if (typeof value === 'number') {
      scalars.push(`#define ${name} ${cValue(value)}`);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const prefix = PREFIX[name] ?? `${name}_`;
      tables.push('', `/* ${name} */`);
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v === 'number') tables.push(`#define ${prefix}${key} ${cValue(v)}`);
      }
    } else {
      skipped.push(name);
    }
  }
  if (skipped.length) tables.push('', `/* Not representable as #defines: ${skipped.join(', ')}. */`);
  return [...scalars, ...tables];
}

/** A struct field: C type, name, element count (1 = scalar), bytes per element, expected offset. */
type Field = [type: string, name: string, count: number, size: number, offset?: number];
interface Struct { name: string; size: number; fields: Field[]; comment: string }

const STRUCTS: Struct[] = [
  {
    name: 'vcpu_time_info', size: 32, comment: 'per-vCPU time (3.5); seqlock on version',
    fields: [
      ['uint32_t', 'version', 1, 4, abi.VTIME.VERSION], ['uint32_t', 'pad0', 1, 4],
      ['uint64_t', 'tsc_timestamp', 1, 8, abi.VTIME.TSC_TIMESTAMP],
      ['uint64_t', 'system_time', 1, 8, abi.VTIME.SYSTEM_TIME],
      ['uint32_t', 'tsc_to_system_mul', 1, 4, abi.VTIME.TSC_TO_SYSTEM_MUL],
      ['int8_t', 'tsc_shift', 1, 1, abi.VTIME.TSC_SHIFT], ['uint8_t', 'flags', 1, 1, abi.VTIME.FLAGS],
      ['uint8_t', 'pad1', 2, 1],
    ],
  },
  {
    name: 'vcpu_info', size: abi.SHINFO.VCPU_INFO_SIZE, comment: 'one per vCPU in shared_info (3.4)',
    fields: [
      ['uint8_t', 'evtchn_upcall_pending', 1, 1, abi.VCPUI.UPCALL_PENDING],
      ['uint8_t', 'evtchn_upcall_mask', 1, 1, abi.VCPUI.UPCALL_MASK],
      ['uint8_t', 'pad', 2, 1, abi.VCPUI.PAD],
      ['uint32_t', 'evtchn_pending_sel', 1, 4, abi.VCPUI.PENDING_SEL],
      ['uint32_t', 'cr2', 1, 4, abi.VCPUI.CR2], ['uint32_t', 'arch_pad', 5, 4],
      ['struct vcpu_time_info', 'time', 1, 32, abi.VCPUI.TIME],
    ],
  },
  {
    name: 'shared_info', size: abi.SHINFO.ARCH_WC_SEC_HI + 4, comment: 'the shared_info page (3.3); arch fields flattened',
    fields: [
      ['struct vcpu_info', 'vcpu_info', abi.XEN_LEGACY_MAX_VCPUS, abi.SHINFO.VCPU_INFO_SIZE, abi.SHINFO.VCPU_INFO],
      ['uint32_t', 'evtchn_pending', 32, 4, abi.SHINFO.EVTCHN_PENDING],
      ['uint32_t', 'evtchn_mask', 32, 4, abi.SHINFO.EVTCHN_MASK],
      ['uint32_t', 'wc_version', 1, 4, abi.SHINFO.WC_VERSION], ['uint32_t', 'wc_sec', 1, 4, abi.SHINFO.WC_SEC],
      ['uint32_t', 'wc_nsec', 1, 4, abi.SHINFO.WC_NSEC], ['uint32_t', 'max_pfn', 1, 4, abi.SHINFO.ARCH_MAX_PFN],
      ['uint32_t', 'pfn_to_mfn_frame_list_list', 1, 4, abi.SHINFO.ARCH_P2M_LIST_LIST],
      ['uint32_t', 'nmi_reason', 1, 4, abi.SHINFO.ARCH_NMI_REASON],
      ['uint32_t', 'p2m_cr3', 1, 4, abi.SHINFO.ARCH_P2M_CR3], ['uint32_t', 'p2m_vaddr', 1, 4, abi.SHINFO.ARCH_P2M_VADDR],
      ['uint32_t', 'p2m_generation', 1, 4, abi.SHINFO.ARCH_P2M_GENERATION],
      ['uint32_t', 'wc_sec_hi', 1, 4, abi.SHINFO.ARCH_WC_SEC_HI],
    ],
  },
  {
    name: 'start_info', size: abi.SI.SIZE, comment: 'what ESI points at on entry (3.1); console.domU flattened',
    fields: [
      ['char', 'magic', 32, 1, abi.SI.MAGIC], ['uint32_t', 'nr_pages', 1, 4, abi.SI.NR_PAGES],
      ['uint32_t', 'shared_info', 1, 4, abi.SI.SHARED_INFO], ['uint32_t', 'flags', 1, 4, abi.SI.FLAGS],
      ['uint32_t', 'store_mfn', 1, 4, abi.SI.STORE_MFN], ['uint32_t', 'store_evtchn', 1, 4, abi.SI.STORE_EVTCHN],
      ['uint32_t', 'console_mfn', 1, 4, abi.SI.CONSOLE_MFN], ['uint32_t', 'console_evtchn', 1, 4, abi.SI.CONSOLE_EVTCHN],
      ['uint32_t', 'pt_base', 1, 4, abi.SI.PT_BASE], ['uint32_t', 'nr_pt_frames', 1, 4, abi.SI.NR_PT_FRAMES],
      ['uint32_t', 'mfn_list', 1, 4, abi.SI.MFN_LIST], ['uint32_t', 'mod_start', 1, 4, abi.SI.MOD_START],
      ['uint32_t', 'mod_len', 1, 4, abi.SI.MOD_LEN], ['char', 'cmd_line', abi.MAX_GUEST_CMDLINE, 1, abi.SI.CMD_LINE],
      ['uint32_t', 'first_p2m_pfn', 1, 4, abi.SI.FIRST_P2M_PFN], ['uint32_t', 'nr_p2m_frames', 1, 4, abi.SI.NR_P2M_FRAMES],
    ],
  },
  {
    name: 'trap_info', size: abi.TRAP_INFO.SIZE, comment: 'one set_trap_table entry (5.1); the array ends with address 0',
    fields: [
      ['uint8_t', 'vector', 1, 1, abi.TRAP_INFO.VECTOR], ['uint8_t', 'flags', 1, 1, abi.TRAP_INFO.FLAGS],
      ['uint16_t', 'cs', 1, 2, abi.TRAP_INFO.CS], ['uint32_t', 'address', 1, 4, abi.TRAP_INFO.ADDRESS],
    ],
  },
  {
    name: 'xencons_interface', size: abi.XENCONS.CONNECTION + 4, comment: 'the console ring page (7.1)',
    fields: [
      ['char', 'in', abi.XENCONS.IN_SIZE, 1, abi.XENCONS.IN], ['char', 'out', abi.XENCONS.OUT_SIZE, 1, abi.XENCONS.OUT],
      ['uint32_t', 'in_cons', 1, 4, abi.XENCONS.IN_CONS], ['uint32_t', 'in_prod', 1, 4, abi.XENCONS.IN_PROD],
      ['uint32_t', 'out_cons', 1, 4, abi.XENCONS.OUT_CONS], ['uint32_t', 'out_prod', 1, 4, abi.XENCONS.OUT_PROD],
      ['uint8_t', 'connection', 1, 1, abi.XENCONS.CONNECTION],
    ],
  },
];

/** Lay the fields out back to back (i386: every field here is naturally placed) and check the offsets. */
function structText(s: Struct): string[] {
  const lines = [`/* ${s.comment} */`, `struct ${s.name} {`];
  const asserts: string[] = [];
  let at = 0;
  for (const [type, name, count, size, offset] of s.fields) {
    if (offset !== undefined && offset !== at) {
      throw new Error(`struct ${s.name}: field ${name} would sit at ${at}, but src/abi/xen.ts says ${offset}`);
    }
    lines.push(`\t${type} ${name}${count > 1 ? `[${count}]` : ''};`);
    asserts.push(`_Static_assert(offsetof(struct ${s.name}, ${name}) == ${at}, "${s.name}.${name}");`);
    at += count * size;
  }
  const size = Math.ceil(at / 4) * 4; // trailing padding to the 4-byte alignment of i386 structs
  if (size !== s.size) throw new Error(`struct ${s.name}: fields make ${size} bytes, expected ${s.size}`);
  lines.push('};', ...asserts, `_Static_assert(sizeof(struct ${s.name}) == ${s.size}, "sizeof ${s.name}");`, '');
  return lines;
}

/** The full text of guests/include/xen/abi.h. */
export function generateAbiHeader(): string {
  return [
    '/* GENERATED FILE: do not edit. Made by `npm run genheaders` (tools/genheaders.ts) from src/abi/xen.ts. */',
    '/*',
    ' * The Xen x86_32 PAE PV ABI as 64-bit Xen presents it to 32-bit guests: numbers and',
    ' * struct layouts shared with the TypeScript hypervisor. Usable from C and, outside',
    ' * the __ASSEMBLER__ block, from assembly.',
    ' */',
    '#ifndef PVPLAY_XEN_ABI_H',
    '#define PVPLAY_XEN_ABI_H',
    '',
    ...defines(),
    '',
    '#ifndef __ASSEMBLER__',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '',
    ...STRUCTS.flatMap(structText),
    '#endif /* __ASSEMBLER__ */',
    '',
    '#endif /* PVPLAY_XEN_ABI_H */',
    '',
  ].join('\n');
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const path = resolve(root, HEADER_PATH);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, generateAbiHeader());
  console.log(`wrote ${HEADER_PATH}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
