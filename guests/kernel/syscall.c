/*
 * System calls: int $0x80 from ring 3, number in EAX, arguments in EBX, ECX
 * and EDX, result in EAX. Every user pointer is checked against the
 * process's page tables before the kernel touches it.
 */
#include "defs.h"
#include "syscall.h"

/*T:600 The system-call gate.
 * On real hardware `int $0x80` goes through the IDT; here the IDT is the
 * hypervisor's, and its gate for vector 0x80 lets ring 3 in. The hypervisor
 * then looks at our trap table: since we registered 0x80 with DPL 3, it
 * bounces the trap straight to vector128 in our kernel, switching to the
 * ring-1 stack we named with stack_switch (T:540), without decoding
 * anything. The system call costs one trap into the hypervisor and one
 * HYPERVISOR_iret out (T:501). We registered it without the mask bit, so
 * system calls run with events enabled, like a kernel that executes STI on
 * entry: a timer or console event can interrupt a long system call. :*/

/* Is [va, va+n) mapped user memory of the current process? */
int user_ok(uint32_t va, uint32_t n, int write)
{
	return vm_user_ok(&cur->pd, va, n, write);
}

/* Copy a NUL-terminated user string into buf; -1 if unmapped or too long. */
int fetchstr(uint32_t va, char *buf, int max)
{
	for (int i = 0; i < max; i++) {
		if (!user_ok(va + i, 1, 0))
			return -1;
		buf[i] = *(char *)(va + i);
		if (!buf[i])
			return i;
	}
	return -1;
}

/* exec(path, argv): copy the strings in, then kexec. */
static int sys_exec(struct trapframe *tf)
{
	char path[16], args[8][64], *argv[8];
	int argc = 0;

	if (fetchstr(tf->ebx, path, sizeof(path)) < 0)
		return -1;
	for (uint32_t a = tf->ecx; a; a += 4) {
		if (argc == 8 || !user_ok(a, 4, 0))
			return -1;
		uint32_t s = *(uint32_t *)a;
		if (!s)
			break;
		if (fetchstr(s, args[argc], sizeof(args[0])) < 0)
			return -1;
		argv[argc] = args[argc];
		argc++;
	}
	return kexec(path, argc, argv);
}

/* wait(&status): the status pointer may be 0. */
static int sys_wait(struct trapframe *tf)
{
	int status, pid;

	if (tf->ebx && !user_ok(tf->ebx, 4, 1))
		return -1;
	pid = wait(&status);
	if (pid > 0 && tf->ebx)
		*(int *)tf->ebx = status;
	return pid;
}

/* read(0, buf, n): one line from the console. */
static int sys_read(struct trapframe *tf)
{
	if (tf->ebx != 0 || !user_ok(tf->ecx, tf->edx, 1))
		return -1;
	return console_read((char *)tf->ecx, tf->edx);
}

/* write(1, buf, n): to the console. */
static int sys_write(struct trapframe *tf)
{
	if (tf->ebx != 1 || !user_ok(tf->ecx, tf->edx, 0))
		return -1;
	console_write((char *)tf->ecx, tf->edx);
	return tf->edx;
}

/* show(what): the kernel prints one of the shell's reports. */
static int sys_show(struct trapframe *tf)
{
	switch (tf->ebx) {
	case SHOW_PS: proc_dump(); return 0;
	case SHOW_MEM: mem_dump(); return 0;
	case SHOW_PT: proc_pt_dump(); return 0;
	case SHOW_EVTCHN: evtchn_dump(); return 0;
	case SHOW_HCALLS: hcall_dump(); return 0;
	case SHOW_PROGRAMS: exec_list(); return 0;
	case SHOW_GRANTS: grant_dump(); return 0;
	}
	return -1;
}

/* kstat(what): one kernel counter, for usertests. */
static int sys_kstat(struct trapframe *tf)
{
	switch (tf->ebx) {
	case KSTAT_HCALLS: return hcall_total();
	case KSTAT_FREE: return kfree_count();
	case KSTAT_TIMEVER: return time_version();
	case KSTAT_DOMID: return xs_domid();
	case KSTAT_XSPORT: return si->store_evtchn;
	case KSTAT_XSREQS: return xs_requests;
	case KSTAT_KWATCH: return kwatch_runs;
	}
	return -1;
}

/* lazy(1 or 0) sets batching; any other value only asks. Returns the old setting. */
static int sys_lazy(struct trapframe *tf)
{
	int was = lazy_mmu;

	if (tf->ebx == 0 || tf->ebx == 1)
		lazy_mmu = tf->ebx;
	return was;
}

/* shutdown(poweroff or reboot): end the domain (control.c). */
static int sys_shutdown(struct trapframe *tf)
{
	if (tf->ebx != SHUTDOWN_poweroff && tf->ebx != SHUTDOWN_reboot)
		return -1;
	domain_shutdown(tf->ebx);
}

/* Dispatch the system call in tf->eax; the result goes back in tf->eax. */
void syscall(struct trapframe *tf)
{
	int r = -1;

	switch (tf->eax) {
	case SYS_fork: r = fork(); break;
	case SYS_exit: exit(tf->ebx); break;
	case SYS_wait: r = sys_wait(tf); break;
	case SYS_exec: r = sys_exec(tf); break;
	case SYS_getpid: r = cur->pid; break;
	case SYS_read: r = sys_read(tf); break;
	case SYS_write: r = sys_write(tf); break;
	case SYS_kill: r = kill(tf->ebx); break;
	case SYS_sleep: r = sleep_ms(tf->ebx); break;
	case SYS_uptime: r = (int)udiv64(now_ns(), 1000000u, 0); break;
	case SYS_date: r = unix_time(); break;
	case SYS_show: r = sys_show(tf); break;
	case SYS_kstat: r = sys_kstat(tf); break;
	case SYS_lazy: r = sys_lazy(tf); break;
	case SYS_shutdown: r = sys_shutdown(tf); break;
	case SYS_settls: cur->tls = tf->ebx; gdt_set_tls(cur->tls); r = 0; break;
	case SYS_xsread ... SYS_ping: r = sysxen(tf); break;
	default:
		printf("pid %d: unknown system call %d\n", cur->pid, tf->eax);
		break;
	}
	tf->eax = r;
}
