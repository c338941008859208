/*
 * smp: a second vcpu (ABI map 3.8, 5.11, 5.16). vcpu 0 gives vcpu 1 a whole
 * vcpu_guest_context -- Xen's flat ring-1 selectors, the page tables vcpu 0 runs
 * on, a stack of its own and two registers to check -- with VCPUOP_initialise,
 * brings it up with VCPUOP_up, and the two then pass IPIs over event channels
 * bound with EVTCHNOP_bind_ipi, each waiting in SCHEDOP_poll with events masked.
 * Only one vcpu prints at a time: the other is waiting in SCHEDOP_poll.
 *
 * Vcpus: 2
 * Expected lines:
 *   OK VCPUOP_initialise with EFLAGS.VM: -EINVAL
 *   OK VCPUOP_initialise with a misaligned LDT: -EINVAL
 *   OK VCPUOP_initialise with 17 GDT frames: -EINVAL
 *   OK VCPUOP_initialise with a CR3 that is not ours: -EINVAL
 *   OK VCPUOP_initialise of vcpu 1
 *   OK VCPUOP_initialise again: -EEXIST
 *   OK vcpu 1 is down until VCPUOP_up
 *   OK VCPUOP_up of vcpu 1
 *   OK vcpu 1 starts with the registers and stack it was given
 *   OK vcpu 1 runs in ring 1
 *   OK IPI from vcpu 1 reaches vcpu 0
 *   OK IPI from vcpu 0 reaches vcpu 1
 *   OK VCPUOP_down of vcpu 1 by itself
 */
#include "test.h"

/* vcpu_guest_context for x86_32 (3.8): only the fields this test sets are named. */
struct vcpu_guest_context {
	uint8_t fpu_ctxt[512];
	uint32_t flags;
	struct {
		uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
		uint16_t error_code, entry_vector;
		uint32_t eip;
		uint16_t cs;
		uint8_t saved_upcall_mask, pad0;
		uint32_t eflags, esp;
		uint16_t ss, pad1;
		uint16_t es, pad2, ds, pad3, fs, pad4, gs, pad5;
	} user_regs;
	struct trap_info trap_ctxt[256];
	uint32_t ldt_base, ldt_ents;
	uint32_t gdt_frames[16];
	uint32_t gdt_ents;
	uint32_t kernel_ss, kernel_sp;
	uint32_t ctrlreg[8];
	uint32_t debugreg[8];
	uint32_t event_callback_cs, event_callback_eip;
	uint32_t failsafe_callback_cs, failsafe_callback_eip;
	uint32_t vm_assist;
};
CHECK_SIZE(struct vcpu_guest_context, 2800);
CHECK_OFF(struct vcpu_guest_context, user_regs, 516);
CHECK_OFF(struct vcpu_guest_context, trap_ctxt, 584);
CHECK_OFF(struct vcpu_guest_context, vm_assist, 2796);
#define VGCF_in_kernel 4
#define AP_EAX 0x5eed0001u
#define AP_EBX 0x5eed0002u

static struct vcpu_guest_context ctx;
static char ap_stack[8192] __attribute__((aligned(16)));
static unsigned port_to_1, port_to_0;

/*
 * vcpu 1 starts here with the registers of its context: it passes EAX and EBX
 * and its stack pointer to ap_main and never returns.
 */
extern char ap_entry[];
__asm__(".text\n.globl ap_entry\nap_entry:\n"
	"\tmovl %esp, %ecx\n\tpushl %ecx\n\tpushl %ebx\n\tpushl %eax\n"
	"\tcall ap_main\n1:\tjmp 1b\n");

static long poll1(unsigned port)
{
	uint32_t ports[1] = { port };
	struct sched_poll p = { .ports = (uint32_t)ports, .nr_ports = 1, .timeout = 0 };

	return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/* Test and clear a port's pending bit in shared_info. */
static int take(unsigned port)
{
	uint32_t bit = 1u << (port % 32);

	return (__atomic_fetch_and(&shared->evtchn_pending[port / 32], ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

void ap_main(uint32_t eax, uint32_t ebx, uint32_t esp);
void ap_main(uint32_t eax, uint32_t ebx, uint32_t esp)
{
	unsigned cs;

	__asm__ volatile("movl %%cs, %0" : "=r"(cs));
	check(eax == AP_EAX && ebx == AP_EBX && esp == (uint32_t)(ap_stack + sizeof(ap_stack)),
	      "vcpu 1 starts with the registers and stack it was given");
	check((cs & 3) == 1, "vcpu 1 runs in ring 1");
	/* Wake vcpu 0, then wait for its answer. */
	evtchn_send(port_to_0);
	poll1(port_to_1);
	check(take(port_to_1), "IPI from vcpu 0 reaches vcpu 1");
	evtchn_send(port_to_0);
	HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0);
	check(0, "VCPUOP_down of vcpu 1 by itself");	/* not reached */
}

static long init1(void)
{
	return HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, &ctx);
}

void test_main(void)
{
	long rc;
	uint32_t l3 = va_to_mfn(cur_l3);

	map_shared_info();
	if (evtchn_bind_ipi(1, &port_to_1) || evtchn_bind_ipi(0, &port_to_0)) {
		check(0, "bind_ipi");
		done();
	}

	memset(&ctx, 0, sizeof(ctx));
	ctx.flags = VGCF_in_kernel;
	ctx.user_regs.eip = (uint32_t)ap_entry;
	ctx.user_regs.esp = (uint32_t)(ap_stack + sizeof(ap_stack));
	ctx.user_regs.eax = AP_EAX;
	ctx.user_regs.ebx = AP_EBX;
	ctx.user_regs.cs = FLAT_KERNEL_CS & ~3;	/* RPL 0: Xen raises it to 1 */
	ctx.user_regs.ss = FLAT_KERNEL_DS;
	ctx.user_regs.ds = ctx.user_regs.es = FLAT_KERNEL_DS;
	ctx.user_regs.fs = ctx.user_regs.gs = FLAT_KERNEL_DS;
	ctx.user_regs.eflags = 0x202;
	ctx.kernel_ss = FLAT_KERNEL_DS;
	ctx.kernel_sp = ctx.user_regs.esp;
	ctx.ctrlreg[3] = (l3 << 12) | (l3 >> 20);

	ctx.user_regs.eflags = 0x20202;
	check_eq(init1(), -XEN_EINVAL, "VCPUOP_initialise with EFLAGS.VM: -EINVAL");
	ctx.user_regs.eflags = 0x202;
	ctx.ldt_base = 0x1234;
	ctx.ldt_ents = 1;
	check_eq(init1(), -XEN_EINVAL, "VCPUOP_initialise with a misaligned LDT: -EINVAL");
	ctx.ldt_base = ctx.ldt_ents = 0;
	ctx.gdt_ents = 17 * 512;
	check_eq(init1(), -XEN_EINVAL, "VCPUOP_initialise with 17 GDT frames: -EINVAL");
	ctx.gdt_ents = 0;
	ctx.ctrlreg[3] = 0;
	check_eq(init1(), -XEN_EINVAL, "VCPUOP_initialise with a CR3 that is not ours: -EINVAL");
	ctx.ctrlreg[3] = (l3 << 12) | (l3 >> 20);

	check_eq(init1(), 0, "VCPUOP_initialise of vcpu 1");
	check_eq(init1(), -XEN_EEXIST, "VCPUOP_initialise again: -EEXIST");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0), 0, "vcpu 1 is down until VCPUOP_up");
	rc = HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0);
	check_eq(rc, 0, "VCPUOP_up of vcpu 1");

	/* vcpu 1 prints its checks, then sends to us. */
	poll1(port_to_0);
	check(take(port_to_0), "IPI from vcpu 1 reaches vcpu 0");
	evtchn_send(port_to_1);
	/* vcpu 1 prints its check, sends again, and takes itself down. */
	poll1(port_to_0);
	take(port_to_0);
	while (HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0) != 0)
		HYPERVISOR_sched_op(SCHEDOP_yield, 0);
	check(1, "VCPUOP_down of vcpu 1 by itself");
	done();
}
