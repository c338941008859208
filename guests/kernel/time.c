/*
 * Time: system time (nanoseconds since the domain started) and the wall
 * clock, both read from shared_info; and one single-shot timer, which is all
 * the scheduler needs: sleepers' wake-up times and the end of the current
 * time slice.
 */
#include "defs.h"

#define SLICE_NS 10000000ull	/* 10 ms */

static int timer_port;
static uint64_t armed;		/* the deadline set_timer_op holds, or 0 */
unsigned timer_events;

/* Divide a 64-bit n by a 32-bit d without libgcc: two 32-bit divisions. */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem)
{
	uint32_t hi = (uint32_t)(n >> 32), lo = (uint32_t)n;
	uint32_t qhi = hi / d, r = hi % d, qlo;

	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	if (rem)
		*rem = r;
	return ((uint64_t)qhi << 32) | qlo;
}

/* Nanoseconds since the domain started. */
uint64_t now_ns(void)
{
	volatile struct vcpu_time_info *t = &vcpu->time;
	uint32_t ver, mul;
	uint64_t base, stamp, delta;
	int8_t shift;

	/*T:300 Reading system time.
	 * The hypervisor does not tick a clock in our memory. It writes, in
	 * vcpu_info, a snapshot: system_time (ns) at tsc_timestamp, and how to
	 * scale TSC cycles since then into ns (shift, then multiply by
	 * tsc_to_system_mul / 2^32). We read the TSC ourselves and extrapolate.
	 * The snapshot is rewritten now and then (when the vcpu is scheduled,
	 * for instance), so it is guarded like a seqlock: the hypervisor makes
	 * version odd, writes, then makes it even again. We copy the fields
	 * and retry if version was odd or changed under us; either means we
	 * may hold half of one snapshot and half of another. :*/
	do {
		ver = t->version;
		mb();
		base = t->system_time;
		stamp = t->tsc_timestamp;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		delta = rdtsc() - stamp;
		mb();
	} while ((ver & 1) || ver != t->version);
	if (shift >= 0)
		delta <<= shift;
	else
		delta >>= -shift;
	/* (delta * mul) >> 32, with delta split so each product fits 64 bits. */
	uint64_t lo = (uint64_t)(uint32_t)delta * mul;
	uint64_t hi = (uint64_t)(uint32_t)(delta >> 32) * mul;
	return base + hi + (lo >> 32);
}

/* The time-info version the last read saw (the shell's uptime shows it). */
uint32_t time_version(void)
{
	return vcpu->time.version;
}

/* Seconds since 1970 (UTC), now. */
uint32_t unix_time(void)
{
	uint32_t ver, sec, nsec;

	/*T:310 The wall clock.
	 * shared_info holds the wall-clock time at which system time was zero
	 * (wc_sec, wc_nsec), under the same odd/even protocol with wc_version.
	 * The time of day is that plus system time. The hypervisor updates it
	 * only when the host's clock is set, not as time passes. :*/
	do {
		ver = shinfo->wc_version;
		mb();
		sec = shinfo->wc_sec;
		nsec = shinfo->wc_nsec;
		mb();
	} while ((ver & 1) || ver != shinfo->wc_version);
	return sec + (uint32_t)udiv64(now_ns() + nsec, 1000000000u, 0);
}

/* Ask for one VIRQ_TIMER at system time when (0: none). */
static void timer_set(uint64_t when)
{
	if (when == armed)
		return;
	armed = when;
	/*T:320 A single-shot timer.
	 * set_timer_op(t) asks for one VIRQ_TIMER event at absolute system time
	 * t, replacing any earlier request; 0 cancels it. A time already past
	 * fires at once. There is no tick: the scheduler arms the next thing it
	 * cares about, and when nothing is waiting for time it arms nothing, so
	 * an idle domain costs the machine no work at all. :*/
	hv_set_timer_op(when);
}

/* Arm the timer for the earliest thing the scheduler waits for. */
void timer_rearm(void)
{
	uint64_t now = now_ns();
	uint64_t next = proc_deadline(now, SLICE_NS);

	if (next && next <= now)
		next = now + 1;
	timer_set(next);
}

/* Handler of VIRQ_TIMER: the single-shot timer fired. */
static void timer_intr(int port)
{
	timer_events++;
	armed = 0;
	proc_tick(now_ns());
}

/* Bind VIRQ_TIMER and stop the periodic timer. */
void timer_init(void)
{
	timer_port = evtchn_bind_virq(VIRQ_TIMER, timer_intr, "timer");
	/*T:330 Stopping the periodic timer.
	 * Every PV vcpu starts with a 10 ms periodic timer that also raises
	 * VIRQ_TIMER. We keep time with single-shot timers only (T:320), so
	 * we stop it; otherwise an idle pvos would wake a hundred times a
	 * second for nothing. :*/
	if (hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0))
		panic("stop_periodic_timer failed");
}
