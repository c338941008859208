/*
 * usertests: check what pvos offers processes, one test per mechanism.
 * Each test prints "OK name" or "FAILED name: why"; the last line is
 * "usertests: N passed, M failed". src/machine/pvos.test.ts reads them.
 * The tests of xenstore, grants and event channels are in xentests.c.
 */
#include "user.h"

static int failed;

/* Mark the current test failed, saying why. */
void fail(const char *why)
{
	printf("  %s\n", why);
	failed = 1;
}

/* Run fn in a child; return its exit status (-1 if the kernel killed it). */
static int in_child(void (*fn)(void))
{
	int status = -99, pid = fork();

	if (pid < 0)
		return -100;
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (wait(&status) != pid)
		return -101;
	return status;
}

/* write checks its pointer against our page tables. */
static void t_write(void)
{
	if (write(1, "", 0) != 0 || write(1, (void *)0xC0000000, 1) != -1)
		fail("write accepted a kernel pointer");
}

/* wait returns the child's pid and exit status. */
static void t_fork_wait(void)
{
	int pid = fork(), status = 0;

	if (pid == 0)
		exit(42);
	if (wait(&status) != pid || status != 42)
		fail("wait did not return the child's status");
	if (wait(&status) != -1)
		fail("wait with no children did not fail");
}

/* Several children at once, all collected. */
static void t_fork_many(void)
{
	int n = 0, status;

	for (int i = 0; i < 8; i++) {
		int pid = fork();
		if (pid == 0)
			exit(i);
		if (pid < 0)
			fail("fork failed");
	}
	while (wait(&status) > 0)
		n++;
	if (n != 8)
		fail("not every child was collected");
}

/* Exit unpins and frees everything fork allocated. */
static void t_memory_freed(void)
{
	int before = kstat(KSTAT_FREE), status;

	for (int i = 0; i < 3; i++) {
		if (fork() == 0)
			exit(0);
		wait(&status);
	}
	if (kstat(KSTAT_FREE) != before)
		fail("frames leaked across fork, exit and unpin");
}

static int global = 1;

/* A child has its own copy of memory. */
static void t_fork_copies(void)
{
	int status;

	global = 5;
	if (fork() == 0) {
		global = 6;
		exit(global == 6 ? 0 : 1);
	}
	wait(&status);
	if (status != 0 || global != 5)
		fail("child and parent share memory");
}

/* exec runs a built-in program with arguments, and refuses a missing one. */
static void t_exec(void)
{
	static char *argv[] = { "echo", "exec-ok", 0 };
	int status, pid = fork();

	if (pid == 0) {
		exec("echo", argv);
		exit(3);
	}
	wait(&status);
	if (status != 0)
		fail("exec echo failed");
	if (exec("no-such-program", argv) != -1)
		fail("exec of a missing program did not fail");
}

static void nullwrite(void) { *(volatile int *)0 = 1; }
static void kernelwrite(void) { *(volatile int *)0xC0000000 = 1; }
static void xenread(void) { (void)*(volatile int *)0xF5800000; }
static void do_cli(void) { __asm__ volatile("cli"); }
static void do_hlt(void) { __asm__ volatile("hlt"); }
static void do_hypercall(void) { __asm__ volatile("int $0x82"); }
static void do_divide(void) { volatile int z = 0; global = global / z; }

/* Faults and privileged instructions in ring 3 kill only the process. */
static void t_user_faults(void)
{
	struct { void (*fn)(void); const char *what; } f[] = {
		{ nullwrite, "write to NULL" }, { kernelwrite, "write to the kernel" },
		{ xenread, "read of the hypervisor's M2P" }, { do_cli, "cli" }, { do_hlt, "hlt" },
		{ do_hypercall, "int $0x82 from ring 3" }, { do_divide, "divide by zero" },
	};
	for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (in_child(f[i].fn) != -1) {
			printf("  %s: ", f[i].what);
			fail("not killed");
		}
	}
}

static void spinner(void) { for (;;) ; }

/* The timer preempts a spinning child, so we can kill it. */
static void t_kill_preempt(void)
{
	int status, pid = fork();

	if (pid == 0)
		spinner();
	sleep(30);	/* only runs again if the timer preempts the spinner */
	if (kill(pid) != 0)
		fail("kill failed");
	if (wait(&status) != pid || status != -1)
		fail("killed child not collected with status -1");
	if (kill(pid) != -1)
		fail("kill of a dead process succeeded");
}

/* sleep waits about as long as asked (single-shot timer). */
static void t_sleep(void)
{
	int t0 = uptime();

	sleep(50);
	int dt = uptime() - t0;
	if (dt < 50 || dt > 500)
		fail("sleep(50) took the wrong time");
}

/* The wall clock reads a plausible date. */
static void t_date(void)
{
	if (date() < 1767225600u)	/* 2026-01-01 */
		fail("wall clock before 2026");
}

static int tls_a = 1111, tls_b = 2222;

/* The first word of our TLS segment. */
static int gs0(void)
{
	int v;

	__asm__ volatile("movl %%gs:0, %0" : "=r"(v));
	return v;
}

/* In a child: a TLS base of its own that survives context switches. */
static void tls_child(void)
{
	settls(&tls_b);
	for (int i = 0; i < 5; i++) {
		sleep(2);
		if (gs0() != 2222)
			exit(1);
	}
	exit(0);
}

/* Each process keeps its own TLS descriptor across switches (update_descriptor). */
static void t_tls(void)
{
	int status, pid;

	settls(&tls_a);
	if (gs0() != 1111)
		fail("%gs:0 does not read the TLS base");
	pid = fork();
	if (pid == 0)
		tls_child();
	for (int i = 0; i < 5; i++) {
		sleep(3);
		if (gs0() != 1111)
			fail("TLS changed across a context switch");
	}
	wait(&status);
	if (status != 0)
		fail("child's TLS changed across a context switch");
}

/* Hypercalls that fork + exit + wait cost. */
static int fork_cost(void)
{
	int status, before = kstat(KSTAT_HCALLS);

	if (fork() == 0)
		exit(0);
	wait(&status);
	return kstat(KSTAT_HCALLS) - before;
}

/* Lazy MMU batching makes fork cheaper in hypercalls. */
static void t_lazy_mmu(void)
{
	int was = lazy(1);
	int on = fork_cost();
	lazy(0);
	int off = fork_cost();
	lazy(was);
	printf("  fork+exit+wait: %d hypercalls batched, %d unbatched\n", on, off);
	if (!(on > 0 && on < off))
		fail("batching did not reduce hypercalls");
}

/* xentests.c */
void t_xs_read(void);
void t_xs_write(void);
void t_xs_directory(void);
void t_xs_wrap(void);
void t_xs_watch(void);
void t_shutdown_watch(void);
void t_grant_self(void);
void t_evtchn_loop(void);

static const struct {
	void (*fn)(void);
	const char *name;
} tests[] = {
	{ t_write, "write" },
	{ t_fork_wait, "fork_wait" },
	{ t_fork_many, "fork_many" },
	{ t_fork_copies, "fork_copies" },
	{ t_memory_freed, "memory_freed" },
	{ t_exec, "exec" },
	{ t_user_faults, "user_faults" },
	{ t_kill_preempt, "kill_preempt" },
	{ t_sleep, "sleep" },
	{ t_date, "date" },
	{ t_tls, "tls" },
	{ t_lazy_mmu, "lazy_mmu" },
	{ t_xs_read, "xs_read" },
	{ t_xs_write, "xs_write" },
	{ t_xs_directory, "xs_directory" },
	{ t_xs_wrap, "xs_wrap" },
	{ t_xs_watch, "xs_watch" },
	{ t_shutdown_watch, "shutdown_watch" },
	{ t_grant_self, "grant_self" },
	{ t_evtchn_loop, "evtchn_loop" },
};

int main(int argc, char **argv)
{
	int passed = 0, bad = 0;

	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		failed = 0;
		tests[i].fn();
		printf("%s %s\n", failed ? "FAILED" : "OK", tests[i].name);
		if (failed)
			bad++;
		else
			passed++;
	}
	printf("usertests: %d passed, %d failed\n", passed, bad);
	return bad != 0;
}
