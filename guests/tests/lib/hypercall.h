/*
 * Hypercalls through the hypercall page (ABI map 4.1, 4.2): `call hypercall_page +
 * nr*32` runs the stub the hypervisor wrote for hypercall nr (mov $nr,%eax; int $0x82;
 * ret). Arguments go in EBX, ECX, EDX, ESI, EDI; the result comes back in EAX,
 * negative for -errno. Xen may clobber the argument registers (debug builds
 * deliberately do), so every one used is declared as an output here.
 * The number must be a compile-time constant: it becomes part of the call address.
 */
#ifndef TESTS_LIB_HYPERCALL_H
#define TESTS_LIB_HYPERCALL_H

#include <xen/abi.h>

extern char hypercall_page[];

#define HC_CALL "call hypercall_page + %c[off]"
#define HC_OFF(nr) [off] "i" ((nr) * HYPERCALL_STUB_BYTES)

#define _hypercall1(nr, a1) ({							\
	long __res; unsigned long __b = (unsigned long)(a1);			\
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b)			\
			 : HC_OFF(nr) : "memory");				\
	__res; })

#define _hypercall2(nr, a1, a2) ({						\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2); \
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c)	\
			 : HC_OFF(nr) : "memory");				\
	__res; })

#define _hypercall3(nr, a1, a2, a3) ({						\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2), \
		__d = (unsigned long)(a3);					\
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c), "+d" (__d) \
			 : HC_OFF(nr) : "memory");				\
	__res; })

#define _hypercall4(nr, a1, a2, a3, a4) ({					\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2), \
		__d = (unsigned long)(a3), __S = (unsigned long)(a4);		\
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c), "+d" (__d), \
			 "+S" (__S) : HC_OFF(nr) : "memory");			\
	__res; })

#define _hypercall5(nr, a1, a2, a3, a4, a5) ({					\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2), \
		__d = (unsigned long)(a3), __S = (unsigned long)(a4), __D = (unsigned long)(a5); \
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c), "+d" (__d), \
			 "+S" (__S), "+D" (__D) : HC_OFF(nr) : "memory");	\
	__res; })

/* set_trap_table(table): install virtual IDT entries; the array ends with address 0. */
static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
	return _hypercall1(__HYPERVISOR_set_trap_table, table);
}

/* console_io(cmd, count, buffer): Xen's own console (pvplay allows it for every domain). */
static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
	return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

/* sched_op(cmd, arg): yield, block, shutdown (arg -> struct sched_shutdown) ... */
static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

/* xen_version(cmd, arg): version and feature queries. */
static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

/* SCHEDOP_shutdown's argument (sched.h): the reason, SHUTDOWN_*. */
struct sched_shutdown {
	unsigned int reason;
};

#endif
