/*
 * System time (ABI map 3.5): now = system_time + ((tsc - tsc_timestamp) scaled by
 * tsc_shift) * tsc_to_system_mul >> 32, read under the version seqlock (retry
 * while the version is odd or changed). No 64-bit division, so no libgcc.
 */
#include "test.h"

uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a" (lo), "=d" (hi));
	return ((uint64_t)hi << 32) | lo;
}

/* (delta * mul) >> 32 for a 64-bit delta and 32-bit mul. */
static uint64_t scale(uint64_t delta, uint32_t mul)
{
	uint64_t lo = (uint64_t)(uint32_t)delta * mul;
	uint64_t hi = (uint64_t)(uint32_t)(delta >> 32) * mul;

	return hi + (lo >> 32);
}

uint64_t system_time(void)
{
	volatile struct vcpu_time_info *t;
	uint32_t version, mul;
	uint64_t st, ts, delta;
	int8_t shift;

	map_shared_info();
	t = &vcpu0->time;
	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		st = t->system_time;
		ts = t->tsc_timestamp;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		delta = rdtsc() - ts;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while ((version & 1) || version != t->version);
	if (shift >= 0)
		delta <<= shift;
	else
		delta >>= -shift;
	return st + scale(delta, mul);
}

int block_until(int (*cond)(void), unsigned tries)
{
	while (!cond() && tries--) {
		/* SCHEDOP_block clears the upcall mask itself and returns after an upcall. */
		HYPERVISOR_sched_op(SCHEDOP_block, 0);
	}
	return cond();
}
