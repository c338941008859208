/*
 * What the processor and the entry code share with C: the trap frame and a
 * few inline instructions. pvos runs its kernel in ring 1 and its processes
 * in ring 3; the hypervisor owns ring 0.
 */
#ifndef PVOS_X86_H
#define PVOS_X86_H


/* Selectors. The kernel runs on the flat ring-1 selectors the hypervisor
 * provides in every domain; processes run on the ring-3 ones from our own
 * GDT (gdt.c), where the TLS descriptor also lives. */
#define KCODE_SEL	FLAT_KERNEL_CS
#define KDATA_SEL	FLAT_KERNEL_DS
#define GDT_UCODE	1
#define GDT_UDATA	2
#define GDT_TLS		3
#define NGDT		4
#define UCODE_SEL	((GDT_UCODE << 3) | 3)
#define UDATA_SEL	((GDT_UDATA << 3) | 3)
#define TLS_SEL		((GDT_TLS << 3) | 3)

/* Trap numbers: the 32 exceptions, the system call, and our name for an event upcall. */
#define T_DIVIDE	0
#define T_GPFLT		13
#define T_PGFLT		14
#define T_SYSCALL	0x80
#define T_EVENT		0x100

#ifndef __ASSEMBLER__
#include <stdint.h>

/*
 * The frame every entry in trapasm.S builds. From the bottom up: what the
 * hypervisor pushed when it bounced the trap to us (esp and ss only when the
 * trap came from ring 3), the trap number and error code the stub pushed,
 * and the registers alltraps saved.
 */
struct trapframe {
	uint32_t edi, esi, ebp, oesp, ebx, edx, ecx, eax;	/* pushal */
	uint32_t gs, fs, es, ds;
	uint32_t trapno, err;
	uint32_t eip;
	uint32_t cs;		/* bits 16-23: the event mask when the trap came */
	uint32_t eflags;	/* IF = events were unmasked */
	uint32_t esp, ss;	/* only from ring 3 */
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define barrier() __asm__ volatile("" ::: "memory")
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* __ASSEMBLER__ */

#endif
