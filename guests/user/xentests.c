/*
 * usertests for what crosses domain boundaries: xenstore through the
 * kernel's xenbus client, the kernel's own watch on control/shutdown, grants
 * and interdomain event channels. The grant and event-channel tests use our
 * own domain as the peer, which the hypervisor allows, so they need no
 * second domain. Part of usertests (see rules.mk); the table is in
 * usertests.c.
 */
#include <xen/abi.h>
#include "user.h"

void fail(const char *why);

#define DIR "data/usertests"

/* Our own domain id, a number xenstore also knows as ~/domid. */
void t_xs_read(void)
{
	char buf[32];
	int me = kstat(KSTAT_DOMID);

	if (xsread("domid", buf, sizeof(buf)) <= 0 || atoi(buf) != me || me <= 0)
		fail("~/domid does not read our domain id");
	if (xsread("name", buf, sizeof(buf)) <= 0)
		fail("~/name is empty");
	if (xsread(DIR "/no-such-node", buf, sizeof(buf)) != -XEN_ENOENT)
		fail("a missing node did not read ENOENT");
}

/* Write, read back, overwrite; a node the toolstack owns refuses us. */
void t_xs_write(void)
{
	char buf[32];

	if (xswrite(DIR "/a", "alpha") != 0 || xsread(DIR "/a", buf, sizeof(buf)) != 5 || strcmp(buf, "alpha"))
		fail("wrote alpha, read something else");
	if (xswrite(DIR "/a", "beta") != 0 || xsread(DIR "/a", buf, sizeof(buf)) != 4 || strcmp(buf, "beta"))
		fail("overwrite did not take");
	if (xswrite("domid", "99") != -XEN_EACCES)
		fail("~/domid (read-only to us) accepted a write");
}

/* A directory lists the children we made; rm removes the subtree. */
void t_xs_directory(void)
{
	char names[256];
	int n, a = 0, b = 0;

	xswrite(DIR "/a", "1");
	xswrite(DIR "/b/c", "2");
	if ((n = xsls(DIR, names, sizeof(names))) <= 0)
		fail("directory failed");
	for (int i = 0; i < n; i += strlen(names + i) + 1) {
		a |= !strcmp(names + i, "a");
		b |= !strcmp(names + i, "b");
	}
	if (!a || !b)
		fail("directory is missing a child");
	if (xsrm(DIR "/b") != 0 || xsread(DIR "/b/c", names, sizeof(names)) != -XEN_ENOENT)
		fail("rm left the subtree");
}

static char big[3001], back[2100];

/*
 * Messages longer than the 1 KiB rings, and enough traffic to wrap the
 * indexes many times. xenstored keeps values to 2048 bytes (its node-size
 * quota) and answers a larger write with ENOSPC.
 */
void t_xs_wrap(void)
{
	char buf[16], num[16];

	for (int i = 0; i < 3000; i++)
		big[i] = 'a' + i % 26;
	if (xswrite(DIR "/big", big) != -XEN_ENOSPC)
		fail("a 3000-byte value was not refused");
	big[2000] = 0;
	if (xswrite(DIR "/big", big) != 0)
		fail("2000-byte write failed");
	if (xsread(DIR "/big", back, sizeof(back)) != 2000 || strcmp(back, big))
		fail("2000-byte value did not read back");
	for (int i = 0; i < 60; i++) {
		num[0] = 'v';
		num[1] = '0' + i / 10;
		num[2] = '0' + i % 10;
		num[3] = 0;
		if (xswrite(DIR "/n", num) != 0 || xsread(DIR "/n", buf, sizeof(buf)) != 3 || strcmp(buf, num)) {
			fail("a round trip went wrong after the ring wrapped");
			return;
		}
	}
	xsrm(DIR "/big");
}

/* A watch fires at once, then on each change; it is ours alone. */
void t_xs_watch(void)
{
	char ev[64];
	int id = xswatch(DIR "/w");

	if (id < 0) {
		fail("watch failed");
		return;
	}
	if (xswait(id, ev, sizeof(ev)) <= 0 || strcmp(ev, DIR "/w"))
		fail("no initial event");
	xswrite(DIR "/w", "x");
	if (xswait(id, ev, sizeof(ev)) <= 0 || strcmp(ev, DIR "/w"))
		fail("no event for a write");
	xswrite(DIR "/w/deeper", "y");
	if (xswait(id, ev, sizeof(ev)) <= 0 || strcmp(ev, DIR "/w/deeper"))
		fail("no event for a write below the watched node");
	if (xsunwatch(id) != 0 || xsunwatch(id) != -XEN_EINVAL)
		fail("unwatch");
	if (xswait(id, ev, sizeof(ev)) != -XEN_EINVAL)
		fail("waited on a watch that is gone");
	xsrm(DIR);
}

/* The kernel watches control/shutdown: writing it runs the xenwatch thread. */
void t_shutdown_watch(void)
{
	int before = kstat(KSTAT_KWATCH);

	if (xswrite("control/shutdown", "") != 0)
		fail("cannot write control/shutdown");
	for (int i = 0; i < 50 && kstat(KSTAT_KWATCH) == before; i++)
		sleep(1);
	if (kstat(KSTAT_KWATCH) == before)
		fail("the kernel's watch did not run");
}

/* Grant a page to ourselves, map it, write both ways, and take it all back. */
void t_grant_self(void)
{
	struct grantinfo gs, gm;
	int me = kstat(KSTAT_DOMID), free0 = kstat(KSTAT_FREE);

	if (share(me, "first", &gs) != 0 || !gs.fresh || gs.ref < 8 || strcmp(gs.after, "first")) {
		fail("share");
		return;
	}
	if (map(me, "second", &gm) != 0 || !gm.fresh || gm.ref != gs.ref || strcmp(gm.before, "first"))
		fail("map did not show the granted page");
	if (share(me, 0, &gs) != 0 || strcmp(gs.before, "second") || !(gs.flags & GTF_writing))
		fail("the granter did not see the write, or GTF_writing is not set");
	if (unshare(me) != -XEN_EBUSY)
		fail("a grant in use was ended");
	if (unmap(me, &gm) != 0 || unmap(me, &gm) != -XEN_ENOENT)
		fail("unmap");
	if (share(me, 0, &gs) != 0 || (gs.flags & (GTF_reading | GTF_writing)))
		fail("the entry is still marked in use after unmap");
	if (unshare(me) != 0 || unshare(me) != -XEN_ENOENT)
		fail("unshare");
	if (kstat(KSTAT_FREE) != free0)
		fail("the shared page was not freed");
}

/* Interdomain event channels to ourselves: offer, bind, and round trips. */
void t_evtchn_loop(void)
{
	struct pinginfo pi;
	int me = kstat(KSTAT_DOMID);

	if (pinglink(me, &pi, 1) != 0 || pi.out <= 0 || pi.in <= 0 || pi.peer_out != pi.out) {
		fail("could not link to ourselves");
		return;
	}
	for (int i = 0; i < 3; i++)
		if (ping(me) <= 0)
			fail("no answer");
	if (ping(me + 100) != -XEN_ENOTCONN)
		fail("ping without a link did not fail");
}
