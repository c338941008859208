/*
 * timer: time and timers (ABI map 3.5, 5.9, 5.10, 5.11, 6.14, 2.5). System time
 * from vcpu_time_info under its version protocol; the 10 ms periodic timer every
 * PV vcpu starts with; set_timer_op and VCPUOP single-shot timers; VIRQ_TIMER
 * delivery while blocked; SCHEDOP_block, yield and poll with a timeout.
 *
 * Expected lines:
 *   OK vcpu_time_info version is even and the scale is set
 *   OK system time advances
 *   OK bind VIRQ_TIMER
 *   OK the periodic timer ticks while we block
 *   OK periodic ticks are 10 ms apart
 *   OK SCHEDOP_block clears the upcall mask
 *   OK VCPUOP_stop_periodic_timer
 *   OK no tick without a timer armed
 *   OK set_timer_op single shot fires once, not before its deadline
 *   OK set_timer_op(0) cancels the single shot
 *   OK VCPUOP_set_periodic_timer below 1 ms: -EINVAL
 *   OK VCPUOP_set_periodic_timer 2 ms ticks 2 ms apart
 *   OK VCPUOP_set_singleshot_timer fires
 *   OK VCPUOP_set_singleshot_timer in the past fires at once
 *   OK VCPUOP_stop_singleshot_timer cancels it
 *   OK vcpu_op on a vcpu that does not exist: -ENOENT
 *   OK SCHEDOP_poll with a timeout returns at the timeout
 *   OK SCHEDOP_yield
 *   OK sched_op_compat yield
 *   OK sched_op command 99: -ENOSYS
 *   OK wallclock version is even
 */
#include "test.h"

#define MS 1000000ull

static unsigned timer_port;
static uint64_t tick_at[8];
static volatile unsigned ticks;

static void on_timer(unsigned port)
{
	(void)port;
	if (ticks < 8)
		tick_at[ticks] = system_time();
	ticks++;
}

static unsigned want;
static int enough(void)
{
	return ticks >= want;
}

/* Wait (blocking) until `n` more ticks arrive or `tries` wake-ups pass; the new count. */
static unsigned wait_ticks(unsigned n, unsigned tries)
{
	want = ticks + n;
	block_until(enough, tries);
	return ticks;
}

/* Spin-wait in system time, events enabled. */
static void spin_ns(uint64_t ns)
{
	uint64_t end = system_time() + ns;

	while (system_time() < end)
		;
}

void test_main(void)
{
	volatile struct vcpu_time_info *t;
	uint64_t t0, t1, deadline;
	unsigned n;
	long rc;

	install_trap_catcher();
	events_init();
	t = &vcpu0->time;
	check(!(t->version & 1) && t->tsc_to_system_mul != 0, "vcpu_time_info version is even and the scale is set");
	t0 = system_time();
	spin_ns(0);
	for (volatile int i = 0; i < 100000; i++)
		;
	t1 = system_time();
	check_detail(t1 > t0, "system time advances", "t0 0x%x%08x t1 0x%x%08x", HI(t0), LO(t0), HI(t1), LO(t1));

	check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port), 0, "bind VIRQ_TIMER");
	evtchn_handler(timer_port, on_timer);
	events_disable();
	n = wait_ticks(3, 10);
	check(n >= 3, "the periodic timer ticks while we block");
	uint64_t d1 = tick_at[2] - tick_at[1];
	check_detail(d1 >= 9 * MS && d1 <= 11 * MS, "periodic ticks are 10 ms apart", "%u us", (unsigned)d1 / 1000);
	check_eq(vcpu0->evtchn_upcall_mask, 0, "SCHEDOP_block clears the upcall mask");

	check_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0), 0, "VCPUOP_stop_periodic_timer");
	n = ticks;
	spin_ns(30 * MS);
	check_eq(ticks, n, "no tick without a timer armed");

	deadline = system_time() + 5 * MS;
	n = ticks;
	HYPERVISOR_set_timer_op(deadline);
	wait_ticks(1, 5);
	spin_ns(20 * MS);
	check_detail(ticks == n + 1 && tick_at[n < 8 ? n : 7] >= deadline, "set_timer_op single shot fires once, not before its deadline",
		     "ticks %u -> %u", n, ticks);

	n = ticks;
	HYPERVISOR_set_timer_op(system_time() + 3 * MS);
	HYPERVISOR_set_timer_op(0);
	spin_ns(10 * MS);
	check_eq(ticks, n, "set_timer_op(0) cancels the single shot");

	struct vcpu_set_periodic_timer per = { .period_ns = MS / 2 };
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), -XEN_EINVAL,
		 "VCPUOP_set_periodic_timer below 1 ms: -EINVAL");
	per.period_ns = 2 * MS;
	ticks = 0;
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
	wait_ticks(3, 10);
	HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
	d1 = tick_at[2] - tick_at[1];
	check_detail(rc == 0 && ticks >= 3 && d1 >= 19 * MS / 10 && d1 <= 21 * MS / 10,
		     "VCPUOP_set_periodic_timer 2 ms ticks 2 ms apart", "rc %d ticks %u, %u us", (int)rc, ticks,
		     (unsigned)d1 / 1000);

	struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = system_time() + 3 * MS };
	n = ticks;
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	wait_ticks(1, 5);
	check(rc == 0 && ticks == n + 1, "VCPUOP_set_singleshot_timer fires");
	ss.timeout_abs_ns = system_time() - MS;
	n = ticks;
	events_disable();
	rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	check(rc == 0 && vcpu0->evtchn_upcall_pending, "VCPUOP_set_singleshot_timer in the past fires at once");
	events_enable();
	ss.timeout_abs_ns = system_time() + 3 * MS;
	n = ticks;
	HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &ss);
	rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, 0);
	spin_ns(10 * MS);
	check(rc == 0 && ticks == n, "VCPUOP_stop_singleshot_timer cancels it");
	check_eq(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 1, 0), -XEN_ENOENT, "vcpu_op on a vcpu that does not exist: -ENOENT");

	/* Poll a port that never becomes pending, with a timeout 5 ms ahead. */
	unsigned quiet;
	evtchn_alloc_unbound(DOMID_SELF, &quiet);
	uint32_t ports[1] = { quiet };
	deadline = system_time() + 5 * MS;
	struct sched_poll poll = { .ports = (uint32_t)ports, .nr_ports = 1, .timeout = deadline };
	events_disable();
	rc = HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	t1 = system_time();
	check_detail(rc == 0 && t1 >= deadline, "SCHEDOP_poll with a timeout returns at the timeout", "rc %d", (int)rc);
	events_enable();

	check_eq(HYPERVISOR_sched_op(SCHEDOP_yield, 0), 0, "SCHEDOP_yield");
	check_eq(HYPERVISOR_sched_op_compat(SCHEDOP_yield, 0), 0, "sched_op_compat yield");
	check_eq(HYPERVISOR_sched_op(99, 0), -XEN_ENOSYS, "sched_op command 99: -ENOSYS");
	check_eq(shared->wc_version & 1, 0, "wallclock version is even");
	done();
}
