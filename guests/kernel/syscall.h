/* System-call numbers and selectors, shared by the kernel and user programs. */
#ifndef PVOS_SYSCALL_H
#define PVOS_SYSCALL_H

#define SYS_fork	1
#define SYS_exit	2
#define SYS_wait	3
#define SYS_exec	4
#define SYS_getpid	5
#define SYS_read	6
#define SYS_write	7
#define SYS_kill	8
#define SYS_sleep	9	/* milliseconds */
#define SYS_uptime	10	/* milliseconds since boot */
#define SYS_date	11	/* seconds since 1970 */
#define SYS_show	12	/* the kernel prints a report: SHOW_* */
#define SYS_kstat	13	/* a kernel counter: KSTAT_* */
#define SYS_lazy	14	/* lazy MMU batching on (1) or off (0); returns the old value */
#define SYS_shutdown	15	/* SHUTDOWN_poweroff or SHUTDOWN_reboot */
#define SYS_settls	16	/* base of this process's %gs segment */

#define SHOW_PS		1
#define SHOW_MEM	2
#define SHOW_PT		3
#define SHOW_EVTCHN	4
#define SHOW_HCALLS	5
#define SHOW_PROGRAMS	6

#define KSTAT_HCALLS	1	/* hypercalls made so far */
#define KSTAT_FREE	2	/* free frames */
#define KSTAT_TIMEVER	3	/* vcpu_time_info version */

#endif
