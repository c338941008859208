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
/* xenstore through the kernel's xenbus client: results are lengths, 0, or -XEN_E* */
#define SYS_xsread	17	/* (path, buf, n): the value's length */
#define SYS_xswrite	18	/* (path, value) */
#define SYS_xsls	19	/* (path, buf, n): children, each NUL-terminated; the list's length */
#define SYS_xsrm	20	/* (path) */
#define SYS_xswatch	21	/* (path): a watch id */
#define SYS_xswait	22	/* (id, buf, n): next event's path; -XEN_EINTR when a line is typed */
#define SYS_xsunwatch	23	/* (id) */
/* the two-domain demos (kernel/peer.c) */
#define SYS_share	24	/* (domid, text or 0, struct grantinfo *) */
#define SYS_unshare	25	/* (domid) */
#define SYS_map		26	/* (domid, text or 0, struct grantinfo *) */
#define SYS_unmap	27	/* (domid, struct grantinfo *) */
#define SYS_pinglink	28	/* (domid, struct pinginfo *, wait): set up both channels */
#define SYS_ping	29	/* (domid): one round trip, in ns */

#define SHOW_PS		1
#define SHOW_MEM	2
#define SHOW_PT		3
#define SHOW_EVTCHN	4
#define SHOW_HCALLS	5
#define SHOW_PROGRAMS	6
#define SHOW_GRANTS	7

#define KSTAT_HCALLS	1	/* hypercalls made so far */
#define KSTAT_FREE	2	/* free frames */
#define KSTAT_TIMEVER	3	/* vcpu_time_info version */
#define KSTAT_DOMID	4	/* our domain id */
#define KSTAT_XSPORT	5	/* the xenstore event channel */
#define KSTAT_XSREQS	6	/* xenstore requests sent */
#define KSTAT_KWATCH	7	/* kernel watch events handled by the xenwatch thread */

#ifndef __ASSEMBLER__
#define TEXTMAX 64	/* the line of text share and map put in a page */

/* What share, unshare, map and unmap did. */
struct grantinfo {
	int ref;		/* the grant reference */
	uint32_t mfn;		/* share: the frame granted */
	uint32_t va;		/* map: where the page is mapped */
	int handle;		/* map: the mapping's handle */
	int flags;		/* share: the entry's GTF_* flags now */
	int status;		/* map, unmap: GNTST_* */
	int fresh;		/* this call made the grant or the mapping */
	char before[TEXTMAX];	/* the page's text before this call */
	char after[TEXTMAX];	/* and after */
	char path[64];		/* the xenstore node with the reference */
};

/* What pinglink set up. */
struct pinginfo {
	int out;		/* the port we offered (alloc_unbound): our pings go out here */
	int in;			/* the port we bound (bind_interdomain): we answer here */
	int peer_out;		/* the peer's offered port, the other end of `in` */
	int fresh;		/* this call made a channel */
};
#endif

#endif
