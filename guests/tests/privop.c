/*
 * privop: privileged instructions in ring 1 (ABI map 6.7, 5.8, 5.18, 8; #NM is in fpu.c).
 * Xen emulates a few after the #GP(0) they raise and injects #GP(0) for the
 * rest; CPUID is reached through the forced-emulation prefix.
 *
 * Expected lines:
 *   OK CLI with virtual IOPL 0: #GP(0)
 *   OK STI with virtual IOPL 0: #GP(0)
 *   OK PHYSDEVOP_set_iopl 1
 *   OK CLI and STI with IOPL 1 are no-ops that leave the upcall mask alone
 *   OK PHYSDEVOP_set_iopl 4: -EINVAL
 *   OK IN with IOPL 1 reads all-ones from an absent port
 *   OK port 0x70 latches the value written
 *   OK IN with IOPL 0 and no I/O bitmap: #GP(0)
 *   OK PHYSDEVOP_set_iobitmap
 *   OK IN of a port the I/O bitmap allows
 *   OK IN of a port the I/O bitmap denies: #GP(0)
 *   OK MOV from CR0 shows TS after fpu_taskswitch(1)
 *   OK fpu_taskswitch(0) clears TS
 *   OK CLTS clears the virtual TS
 *   OK MOV to CR0 may set TS
 *   OK MOV to CR0 changing another bit: #GP(0)
 *   OK MOV to CR2 and back
 *   OK MOV to CR2 also sets vcpu_info.arch.cr2
 *   OK MOV from CR3 is the extended-cr3 encoding of the current L3
 *   OK MOV from CR4 is emulated
 *   OK RDMSR EFER hides LME and LMA
 *   OK RDMSR of an unknown MSR: #GP(0)
 *   OK CPUID with the forced-emulation prefix: XenVMMXenVMM
 *   OK CPUID leaf base+1 is the Xen version
 *   OK CPUID leaf base+2: at least one hypercall page
 *   OK HLT: #GP(0)
 *   OK LGDT: #GP(0)
 *   OK LIDT: #GP(0)
 *   OK LLDT: #GP(0)
 *   OK LTR: #GP(0)
 *   OK INVLPG: #GP(0)
 *   OK LMSW: #GP(0)
 *   OK WBINVD is ignored
 *   OK RDTSC runs in ring 1
 */
#include "test.h"

#define GP0(name) check_detail(last_trap.vector == 13 && last_trap.err == 0, name, "vector 0x%x err 0x%x", \
			       last_trap.vector, last_trap.err)

static uint32_t cr0(void)
{
	uint32_t v;

	__asm__ volatile("movl %%cr0, %0" : "=r" (v));
	return v;
}

static long set_iopl(unsigned iopl)
{
	struct physdev_set_iopl a = { .iopl = iopl };

	return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &a);
}

static void io_checks(void)
{
	uint8_t v = 0;
	static uint8_t bitmap[8192];
	struct physdev_set_iobitmap bm;

	trap_clear();
	__asm__ volatile(TRAP_INSN("cli") ::: "memory");
	GP0("CLI with virtual IOPL 0: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("sti") ::: "memory");
	GP0("STI with virtual IOPL 0: #GP(0)");

	check_eq(set_iopl(1), 0, "PHYSDEVOP_set_iopl 1");
	trap_clear();
	vcpu0->evtchn_upcall_mask = 1;
	__asm__ volatile(TRAP_INSN("sti") ::: "memory");
	unsigned m1 = vcpu0->evtchn_upcall_mask;
	vcpu0->evtchn_upcall_mask = 0;
	__asm__ volatile(TRAP_INSN("cli") ::: "memory");
	unsigned m0 = vcpu0->evtchn_upcall_mask;
	vcpu0->evtchn_upcall_mask = 1;
	check(last_trap.vector == TRAP_NONE && m1 == 1 && m0 == 0,
	      "CLI and STI with IOPL 1 are no-ops that leave the upcall mask alone");
	check_eq(set_iopl(4), -XEN_EINVAL, "PHYSDEVOP_set_iopl 4: -EINVAL");

	trap_clear();
	__asm__ volatile(TRAP_INSN("inb $0x84, %0") : "=a" (v) :: "memory");
	check(last_trap.vector == TRAP_NONE && v == 0xff, "IN with IOPL 1 reads all-ones from an absent port");
	v = 0x0b;
	__asm__ volatile("outb %0, $0x70\n\tmovb $0, %0\n\tinb $0x70, %0" : "+a" (v));
	check_eq(v, 0x0b, "port 0x70 latches the value written");

	set_iopl(0);
	trap_clear();
	__asm__ volatile(TRAP_INSN("inb $0x84, %0") : "=a" (v) :: "memory");
	GP0("IN with IOPL 0 and no I/O bitmap: #GP(0)");

	/* One bit per port, 0 = allowed (5.18): allow 0x84 only. */
	memset(bitmap, 0xff, sizeof(bitmap));
	bitmap[0x84 / 8] &= ~(1 << (0x84 % 8));
	bm.bitmap = (uint32_t)bitmap;
	bm.nr_ports = 0x400;
	check_eq(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm), 0, "PHYSDEVOP_set_iobitmap");
	trap_clear();
	__asm__ volatile(TRAP_INSN("inb $0x84, %0") : "=a" (v) :: "memory");
	check(last_trap.vector == TRAP_NONE && v == 0xff, "IN of a port the I/O bitmap allows");
	trap_clear();
	__asm__ volatile(TRAP_INSN("inb $0x85, %0") : "=a" (v) :: "memory");
	GP0("IN of a port the I/O bitmap denies: #GP(0)");
	bm.nr_ports = 0;
	HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm);
}

static void cr_checks(void)
{
	uint32_t v, l3mfn;

	HYPERVISOR_fpu_taskswitch(1);
	check(cr0() & 8, "MOV from CR0 shows TS after fpu_taskswitch(1)");
	HYPERVISOR_fpu_taskswitch(0);
	check_eq(cr0() & 8, 0, "fpu_taskswitch(0) clears TS");

	HYPERVISOR_fpu_taskswitch(1);
	__asm__ volatile("clts");
	check_eq(cr0() & 8, 0, "CLTS clears the virtual TS");
	v = cr0() | 8;
	__asm__ volatile("movl %0, %%cr0" :: "r" (v));
	check(cr0() & 8, "MOV to CR0 may set TS");
	__asm__ volatile("clts");
	v = cr0() ^ 0x40000;	/* AM */
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %0, %%cr0") :: "r" (v) : "memory");
	GP0("MOV to CR0 changing another bit: #GP(0)");

	v = 0x12345678;
	__asm__ volatile("movl %0, %%cr2\n\tmovl %%cr2, %0" : "+r" (v));
	check_eq(v, 0x12345678, "MOV to CR2 and back");
	check_eq(vcpu0->cr2, 0x12345678, "MOV to CR2 also sets vcpu_info.arch.cr2");

	__asm__ volatile("movl %%cr3, %0" : "=r" (v));
	l3mfn = va_to_mfn((void *)start_info->pt_base);
	check_eq(v, (l3mfn << 12) | (l3mfn >> 20), "MOV from CR3 is the extended-cr3 encoding of the current L3");
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %%cr4, %0") : "=r" (v) :: "memory");
	check_eq(last_trap.vector, TRAP_NONE, "MOV from CR4 is emulated");
}

static void msr_cpuid_checks(void)
{
	uint32_t lo = 0, hi = 0, a, b, c, d;

	trap_clear();
	__asm__ volatile(TRAP_INSN("rdmsr") : "=a" (lo), "=d" (hi) : "c" (0xc0000080) : "memory");
	check_detail(last_trap.vector == TRAP_NONE && (lo & 0x500) == 0, "RDMSR EFER hides LME and LMA",
		     "vector 0x%x efer 0x%x", last_trap.vector, lo);
	trap_clear();
	__asm__ volatile(TRAP_INSN("rdmsr") : "=a" (lo), "=d" (hi) : "c" (0x4b564dff) : "memory");
	GP0("RDMSR of an unknown MSR: #GP(0)");

	/* ud2; .ascii "xen"; cpuid (6.7): Xen emulates CPUID and skips all 7 bytes. */
#define XEN_CPUID(leaf) __asm__ volatile("ud2; .ascii \"xen\"; cpuid" \
		: "=a" (a), "=b" (b), "=c" (c), "=d" (d) : "0" (leaf), "2" (0))
	XEN_CPUID(0x40000000);
	check_detail(b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e && a >= 0x40000002,
		     "CPUID with the forced-emulation prefix: XenVMMXenVMM", "eax 0x%x ebx 0x%x ecx 0x%x edx 0x%x",
		     a, b, c, d);
	XEN_CPUID(0x40000001);
	check_eq(a, HYPERVISOR_xen_version(XENVER_version, 0), "CPUID leaf base+1 is the Xen version");
	XEN_CPUID(0x40000002);
	check(a >= 1, "CPUID leaf base+2: at least one hypercall page");
	(void)hi;
}

static void gp_checks(void)
{
	static uint16_t desc[3];

	trap_clear();
	__asm__ volatile(TRAP_INSN("hlt") ::: "memory");
	GP0("HLT: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("lgdt %0") :: "m" (desc) : "memory");
	GP0("LGDT: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("lidt %0") :: "m" (desc) : "memory");
	GP0("LIDT: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("lldt %w0") :: "r" (0) : "memory");
	GP0("LLDT: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("ltr %w0") :: "r" (0x28) : "memory");
	GP0("LTR: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("invlpg (%0)") :: "r" (desc) : "memory");
	GP0("INVLPG: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("lmsw %w0") :: "r" (1) : "memory");
	GP0("LMSW: #GP(0)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("wbinvd") ::: "memory");
	check_eq(last_trap.vector, TRAP_NONE, "WBINVD is ignored");
	trap_clear();
	uint64_t t0 = rdtsc(), t1 = rdtsc();
	check(last_trap.vector == TRAP_NONE && t1 > t0, "RDTSC runs in ring 1");
}

void test_main(void)
{
	install_trap_catcher();
	map_shared_info();
	io_checks();
	cr_checks();
	msr_cpuid_checks();
	gp_checks();
	done();
}
