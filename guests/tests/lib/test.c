/*
 * The test-report API and the trap catcher (see test.h for the output format).
 */
#include "test.h"

static unsigned passed, failed;

void check_detail(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("OK %s\n", name);
		return;
	}
	failed++;
	printf("FAILED %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/*
 * SCHEDOP_shutdown (5.9) stops the whole domain with a reason (6.16); it does not
 * return. If it ever did, spin: there is nothing sensible left to do.
 */
void shutdown(unsigned int reason)
{
	struct sched_shutdown arg = { .reason = reason };

	HYPERVISOR_sched_op(SCHEDOP_shutdown, &arg);
	for (;;)
		;
}

/* Always power off: the host reads the OK/FAILED lines and the summary. */
void done(void)
{
	printf("pvplay-test: %u passed, %u failed\n", passed, failed);
	shutdown(SHUTDOWN_poweroff);
}

/* Called by traps.S with the vector, the error code (0 if none) and the EIP of the frame. */
void trap_unexpected(unsigned vector, unsigned err, unsigned eip)
{
	printf("FAILED unexpected trap %u at 0x%08x err 0x%x\n", vector, eip, err);
	shutdown(SHUTDOWN_crash);
}

extern const unsigned long trap_stubs[32];

/*
 * set_trap_table (5.1): one trap_info per vector, ending with an entry whose
 * address is 0. Handlers run in ring 1 on FLAT_KERNEL_CS. flags 0: DPL 0, so a
 * stray `int n` arrives as #GP rather than as vector n; events stay as they are.
 */
void install_trap_catcher(void)
{
	static struct trap_info table[33];
	long rc;

	for (int v = 0; v < 32; v++) {
		table[v].vector = v;
		table[v].flags = 0;
		table[v].cs = FLAT_KERNEL_CS;
		table[v].address = trap_stubs[v];
	}
	table[32].address = 0;
	rc = HYPERVISOR_set_trap_table(table);
	if (rc)
		check_detail(0, "install_trap_catcher", "set_trap_table returned %d", (int)rc);
}
