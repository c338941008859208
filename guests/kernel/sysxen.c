/*
 * The system calls behind the shell's xs, share, map and ping commands. Each
 * checks the process's pointers and copies its strings in, then calls the
 * kernel's xenbus client (xenbus.c) or the two-domain demos (peer.c).
 * Results are lengths, 0, or a negative Xen errno, which the shell names.
 */
#include "defs.h"

#define PATHLEN 128

/* Copy the path argument at va into path (PATHLEN bytes). */
static int getpath(uint32_t va, char *path)
{
	return fetchstr(va, path, PATHLEN) < 0 ? -XEN_EFAULT : 0;
}

/* Length of the user string at va (at most max), or -1 if it runs into unmapped memory. */
static int ustrlen(uint32_t va, int max)
{
	for (int i = 0; i < max; i++) {
		if ((i == 0 || ((va + i) & (PGSIZE - 1)) == 0) && !user_ok(va + i, 1, 0))
			return -1;
		if (!*(char *)(va + i))
			return i;
	}
	return -1;
}

/* A domain id a process may name. */
static int domid_ok(uint32_t d)
{
	return d < DOMID_SELF;
}

static int has_event(void *id)
{
	return xs_event_pending((int)(uintptr_t)id);
}

/* (path, buf, n) for read and ls; write and rm take (path, value). */
static int sys_xs(struct trapframe *tf)
{
	char path[PATHLEN];
	int rc = getpath(tf->ebx, path), n;

	if (rc < 0)
		return rc;
	switch (tf->eax) {
	case SYS_xsread:
	case SYS_xsls:
		if ((int)tf->edx <= 0 || !user_ok(tf->ecx, tf->edx, 1))
			return -XEN_EFAULT;
		if (tf->eax == SYS_xsread)
			return xs_read(path, (char *)tf->ecx, tf->edx);
		return xs_directory(path, (char *)tf->ecx, tf->edx);
	case SYS_xswrite:
		/* The value stays in the process's memory: xs_write reads it from
		 * there while this process is current, even if it sleeps meanwhile. */
		if ((n = ustrlen(tf->ecx, XENSTORE_PAYLOAD_MAX)) < 0)
			return -XEN_EFAULT;
		return xs_write_n(path, (const char *)tf->ecx, n);
	case SYS_xsrm:
		return xs_rm(path);
	case SYS_xswatch:
		return xs_watch(path, 0);
	}
	return -XEN_ENOSYS;
}

/* xswait(id, buf, n): the next event of one of our watches; Enter interrupts. */
static int sys_xswait(struct trapframe *tf)
{
	int id = tf->ebx, rc;

	if (!xs_watch_mine(id))
		return -XEN_EINVAL;
	if ((int)tf->edx <= 0 || !user_ok(tf->ecx, tf->edx, 1))
		return -XEN_EFAULT;
	if ((rc = wait_for(has_event, (void *)(uintptr_t)id, 0)) < 0)
		return rc;
	xs_next_event(id, (char *)tf->ecx, tf->edx);
	return strlen((char *)tf->ecx);
}

/* share, map, unmap: (domid, text or 0, info) or (domid, info); info is copied out at the end. */
static int sys_grant(struct trapframe *tf)
{
	struct grantinfo gi;
	char text[TEXTMAX];
	uint32_t info = tf->eax == SYS_unmap ? tf->ecx : tf->edx;
	int rc;

	if (!domid_ok(tf->ebx) || !user_ok(info, sizeof(gi), 1))
		return -XEN_EFAULT;
	if (tf->eax != SYS_unmap && tf->ecx && fetchstr(tf->ecx, text, TEXTMAX) < 0)
		return -XEN_EFAULT;
	memset(&gi, 0, sizeof(gi));
	const char *t = tf->eax != SYS_unmap && tf->ecx ? text : 0;
	if (tf->eax == SYS_share)
		rc = peer_share(tf->ebx, t, &gi);
	else if (tf->eax == SYS_map)
		rc = peer_map(tf->ebx, t, &gi);
	else
		rc = peer_unmap(tf->ebx, &gi);
	memcpy((void *)info, &gi, sizeof(gi));
	return rc;
}

/* pinglink(domid, info, wait) */
static int sys_pinglink(struct trapframe *tf)
{
	struct pinginfo pi;

	if (!domid_ok(tf->ebx) || !user_ok(tf->ecx, sizeof(pi), 1))
		return -XEN_EFAULT;
	memset(&pi, 0, sizeof(pi));
	int rc = peer_link(tf->ebx, tf->edx, &pi);
	memcpy((void *)tf->ecx, &pi, sizeof(pi));
	return rc;
}

/* The xenstore and two-domain system calls (SYS_xsread .. SYS_ping). */
int sysxen(struct trapframe *tf)
{
	switch (tf->eax) {
	case SYS_xsread: case SYS_xswrite: case SYS_xsls: case SYS_xsrm: case SYS_xswatch:
		return sys_xs(tf);
	case SYS_xswait:
		return sys_xswait(tf);
	case SYS_xsunwatch:
		return xs_watch_mine(tf->ebx) ? xs_unwatch(tf->ebx) : -XEN_EINVAL;
	case SYS_share: case SYS_map: case SYS_unmap:
		return sys_grant(tf);
	case SYS_unshare:
		return domid_ok(tf->ebx) ? peer_unshare(tf->ebx) : -XEN_EINVAL;
	case SYS_pinglink:
		return sys_pinglink(tf);
	case SYS_ping:
		return domid_ok(tf->ebx) ? peer_ping(tf->ebx) : -XEN_EINVAL;
	}
	return -XEN_ENOSYS;
}
