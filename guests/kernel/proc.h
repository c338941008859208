/* Processes: the per-process state proc.c, vm.c and syscall.c share. */
#ifndef PVOS_PROC_H
#define PVOS_PROC_H

#include "memlayout.h"
#include "x86.h"

#define NPROC		16
#define MAXPT		8	/* page-table frames one address space may own */

/* Registers swtch() saves; the rest are caller-saved or in the trap frame. */
struct context {
	uint32_t edi, esi, ebx, ebp, eip;
};

/* An address space: the frames of its page tables, by pfn. */
struct pgdir {
	uint32_t l3;		/* pinned while the process lives */
	uint32_t l2[4];		/* per L3 slot; l2[3] is this L3's private kernel L2 */
	uint32_t l1[MAXPT];	/* user L1 tables, indexed with l1va[] */
	uint32_t l1va[MAXPT];	/* the 2 MiB region each maps */
	int nl1;
	int pinned;
};

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
	enum procstate state;
	int pid;
	struct proc *parent;
	struct pgdir pd;	/* pd.l3 == 0: kernel-only (the idle process) */
	char *kstack;		/* bottom of this process's kernel stack */
	struct trapframe *tf;	/* the trap frame of its current system call */
	struct context *context;	/* swtch() here to run it */
	void *chan;		/* sleeping on chan */
	uint64_t wake_at;	/* for sleep(ms): system time to wake at, or 0 */
	uint32_t tls;		/* base of its TLS segment (%gs) */
	int killed;
	int xstate;		/* exit status for wait() */
	void (*kfn)(void);	/* a kernel thread runs this, in ring 1 only */
	char name[16];
};

extern struct proc proc[NPROC];
extern struct proc *cur;	/* the running process; proc[0] is idle */

#endif
