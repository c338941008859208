/*
 * Hypercalls: the guest kernel's system calls into the hypervisor.
 *
 * Every wrapper below counts itself in hcall_count[] (the shell's hcalls
 * command prints the table), then calls into the hypercall page.
 */
#ifndef PVOS_HYPERCALL_H
#define PVOS_HYPERCALL_H

#include "xen.h"

/*T:010 The hypercall page.
 * We never write `int $0x82` ourselves. The Xen notes in entry.S name a page
 * of our image (hypercall_page); before we run, the hypervisor fills it with
 * 128 stubs of 32 bytes, stub n being "mov $n, %eax; int $0x82; ret". A
 * hypercall is therefore an ordinary `call hypercall_page + n*32`, with the
 * arguments in EBX, ECX, EDX, ESI and EDI and the result in EAX: 0 or a
 * negative Xen errno. The hypervisor may clobber the argument registers, so
 * the asm below declares each one it passes as changed. Letting the
 * hypervisor write the stubs means it can change how a guest enters it
 * without the guest being rebuilt. :*/
extern char hypercall_page[];
extern unsigned hcall_count[64];

#define HC_ASM(nr) "call hypercall_page + %c[off]"
#define HC_NR(nr) [off] "i" ((nr) * HYPERCALL_STUB_BYTES)
#define HC_COUNT(nr) (hcall_count[(nr) & 63]++)

#define hypercall1(nr, a) ({ long r_; uint32_t b_ = (uint32_t)(a); HC_COUNT(nr); \
	__asm__ volatile(HC_ASM(nr) : "=a"(r_), "+b"(b_) : HC_NR(nr) : "memory"); r_; })
#define hypercall2(nr, a, b) ({ long r_; uint32_t b_ = (uint32_t)(a), c_ = (uint32_t)(b); \
	HC_COUNT(nr); __asm__ volatile(HC_ASM(nr) : "=a"(r_), "+b"(b_), "+c"(c_) \
	: HC_NR(nr) : "memory"); r_; })
#define hypercall3(nr, a, b, c) ({ long r_; uint32_t b_ = (uint32_t)(a), c_ = (uint32_t)(b), \
	d_ = (uint32_t)(c); HC_COUNT(nr); __asm__ volatile(HC_ASM(nr) \
	: "=a"(r_), "+b"(b_), "+c"(c_), "+d"(d_) : HC_NR(nr) : "memory"); r_; })
#define hypercall4(nr, a, b, c, d) ({ long r_; uint32_t b_ = (uint32_t)(a), c_ = (uint32_t)(b), \
	d_ = (uint32_t)(c), s_ = (uint32_t)(d); HC_COUNT(nr); __asm__ volatile(HC_ASM(nr) \
	: "=a"(r_), "+b"(b_), "+c"(c_), "+d"(d_), "+S"(s_) : HC_NR(nr) : "memory"); r_; })

static inline long hv_set_trap_table(const struct trap_info *t)
{
	return hypercall1(__HYPERVISOR_set_trap_table, t);
}
static inline long hv_mmu_update(struct mmu_update *req, unsigned n)
{
	return hypercall4(__HYPERVISOR_mmu_update, req, n, 0, DOMID_SELF);
}
static inline long hv_mmuext_op(struct mmuext_op *op, unsigned n)
{
	return hypercall4(__HYPERVISOR_mmuext_op, op, n, 0, DOMID_SELF);
}
static inline long hv_update_va_mapping(uint32_t va, uint64_t pte, uint32_t flags)
{
	return hypercall4(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags);
}
static inline long hv_set_gdt(uint32_t *mfns, unsigned entries)
{
	return hypercall2(__HYPERVISOR_set_gdt, mfns, entries);
}
static inline long hv_update_descriptor(uint64_t maddr, uint64_t desc)
{
	return hypercall4(__HYPERVISOR_update_descriptor, (uint32_t)maddr, (uint32_t)(maddr >> 32),
			  (uint32_t)desc, (uint32_t)(desc >> 32));
}
static inline long hv_stack_switch(uint32_t ss, uint32_t esp)
{
	return hypercall2(__HYPERVISOR_stack_switch, ss, esp);
}
static inline long hv_set_callbacks(uint32_t ecs, void *eip, uint32_t fcs, void *feip)
{
	return hypercall4(__HYPERVISOR_set_callbacks, ecs, eip, fcs, feip);
}
static inline long hv_sched_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}
static inline long hv_set_timer_op(uint64_t when)
{
	return hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)when, (uint32_t)(when >> 32));
}
static inline long hv_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
	return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}
static inline long hv_event_channel_op(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}
static inline long hv_console_io(int cmd, int n, const char *buf)
{
	return hypercall3(__HYPERVISOR_console_io, cmd, n, buf);
}
static inline long hv_xen_version(int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}
static inline long hv_multicall(struct multicall_entry *list, unsigned n)
{
	return hypercall2(__HYPERVISOR_multicall, list, n);
}
static inline long hv_grant_table_op(int cmd, void *ops, unsigned n)
{
	return hypercall3(__HYPERVISOR_grant_table_op, cmd, ops, n);
}

#endif
