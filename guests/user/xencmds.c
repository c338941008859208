/*
 * The shell's commands for what crosses domain boundaries: xs (xenstore,
 * through the kernel's xenbus client), share, unshare, map, unmap and grants
 * (grant tables), and ping (interdomain event channels). Each prints what
 * happened and which mechanism did it. Part of sh (see rules.mk).
 */
#include <xen/abi.h>
#include "user.h"

/* dir/name, without doubling the slash. */
static void join(char *out, const char *dir, const char *name)
{
	int n = strlen(dir);

	strcpy(out, dir);
	if (n && dir[n - 1] != '/')
		out[n++] = '/';
	strcpy(out + n, name);
}

/* Words argv[from..] joined by spaces into buf (at most n bytes). */
static char *words(int argc, char **argv, int from, char *buf, int n)
{
	int k = 0;

	buf[0] = 0;
	for (int i = from; i < argc; i++) {
		int len = strlen(argv[i]);
		if (k + len + 2 > n)
			break;
		if (k)
			buf[k++] = ' ';
		strcpy(buf + k, argv[i]);
		k += len;
	}
	return buf;
}

static void xs_ls(const char *path)
{
	char names[1024], val[64], child[192];
	int n = xsls(path, names, sizeof(names)), count = 0;

	if (n < 0) {
		printf("xs: ls %s: %s\n", path, errstr(n));
		return;
	}
	int len = n < (int)sizeof(names) ? n : (int)sizeof(names) - 1;
	for (int i = 0; i < len; i += strlen(names + i) + 1)
		count++;
	printf("%s: %d children (XS_DIRECTORY, then XS_READ of each)\n", path, count);
	for (int i = 0; i < len; i += strlen(names + i) + 1) {
		join(child, path, names + i);
		int r = xsread(child, val, sizeof(val));
		if (r < 0)
			printf("  %s (%s)\n", names + i, errstr(r));
		else
			printf("  %s = \"%s\"%s\n", names + i, val, r >= (int)sizeof(val) ? "..." : "");
	}
}

static void xs_watchcmd(const char *path, int max)
{
	char ev[128], val[64], line[128];
	int id = xswatch(path), count = 0, r = 0;

	if (id < 0) {
		printf("xs: watch %s: %s\n", path, errstr(id));
		return;
	}
	printf("xs: watching %s (XS_WATCH; events come on event channel %d; Enter stops)\n", path,
	       kstat(KSTAT_XSPORT));
	while (!max || count < max) {
		if ((r = xswait(id, ev, sizeof(ev))) < 0)
			break;
		int v = xsread(ev, val, sizeof(val));
		if (v < 0)
			printf("  event %d: %s (%s)\n", ++count, ev, errstr(v));
		else
			printf("  event %d: %s = \"%s\"\n", ++count, ev, val);
	}
	xsunwatch(id);
	if (r == -XEN_EINTR)
		gets(line, sizeof(line));	/* the line that stopped us is not a command */
	printf("xs: %d events; unwatched (XS_UNWATCH)\n", count);
}

/* xs ls|read|write|rm|watch path [value | count] */
void xs_cmd(int argc, char **argv)
{
	char val[256];
	int r;

	if (argc < 3) {
		printf("usage: xs ls|read|write|rm|watch path [value|count]\n");
		return;
	}
	const char *op = argv[1], *path = argv[2];
	if (!strcmp(op, "ls")) {
		xs_ls(path);
	} else if (!strcmp(op, "read")) {
		if ((r = xsread(path, val, sizeof(val))) < 0)
			printf("xs: read %s: %s\n", path, errstr(r));
		else
			printf("%s = \"%s\"%s (XS_READ)\n", path, val, r >= (int)sizeof(val) ? "..." : "");
	} else if (!strcmp(op, "write") && argc >= 4) {
		words(argc, argv, 3, val, sizeof(val));
		if ((r = xswrite(path, val)) < 0)
			printf("xs: write %s: %s\n", path, errstr(r));
		else
			printf("%s = \"%s\" (XS_WRITE)\n", path, val);
	} else if (!strcmp(op, "rm")) {
		if ((r = xsrm(path)) < 0)
			printf("xs: rm %s: %s\n", path, errstr(r));
		else
			printf("%s removed (XS_RM)\n", path);
	} else if (!strcmp(op, "watch")) {
		xs_watchcmd(path, argc > 3 ? atoi(argv[3]) : 0);
	} else {
		printf("usage: xs ls|read|write|rm|watch path [value|count]\n");
	}
}

/* share domid [text]: grant a page to domid, or show (and rewrite) the one granted. */
void share_cmd(int argc, char **argv)
{
	struct grantinfo gi;
	char text[TEXTMAX];

	if (argc < 2) {
		printf("usage: share domid [text]\n");
		return;
	}
	int dom = atoi(argv[1]), me = kstat(KSTAT_DOMID);
	int r = share(dom, argc > 2 ? words(argc, argv, 2, text, sizeof(text)) : 0, &gi);
	if (r < 0) {
		printf("share: %s\n", errstr(r));
		return;
	}
	if (gi.fresh) {
		printf("share: granted frame %x to domain %d as ref %d (grant entry: GTF_permit_access)\n", gi.mfn,
		       dom, gi.ref);
		printf("share: published /local/domain/%d/%s = %d, readable by domain %d (XS_WRITE, XS_SET_PERMS)\n",
		       me, gi.path, gi.ref, dom);
		printf("share: the page reads \"%s\"\n", gi.after);
		return;
	}
	printf("share: ref %d to domain %d, %s\n", gi.ref, dom,
	       gi.flags & GTF_writing ? "mapped by it (GTF_writing)" : "not mapped now (no GTF_writing)");
	printf("share: the page reads \"%s\"\n", gi.before);
	if (argc > 2)
		printf("share: wrote \"%s\"\n", gi.after);
}

/* unshare domid: end the grant made by share. */
void unshare_cmd(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: unshare domid\n");
		return;
	}
	int dom = atoi(argv[1]), r = unshare(dom);
	if (r == -XEN_EBUSY)
		printf("unshare: domain %d still maps the page (GTF_writing): EBUSY; unmap it there first\n", dom);
	else if (r < 0)
		printf("unshare: %s\n", errstr(r));
	else
		printf("unshare: grant to domain %d ended, page freed, data/share/%d removed\n", dom, dom);
}

/* map domid [text]: map what domid shared with us, read it, write to it. */
void map_cmd(int argc, char **argv)
{
	struct grantinfo gi;
	char text[TEXTMAX];

	if (argc < 2) {
		printf("usage: map domid [text]\n");
		return;
	}
	int dom = atoi(argv[1]), me = kstat(KSTAT_DOMID);
	int r = map(dom, argc > 2 ? words(argc, argv, 2, text, sizeof(text)) : 0, &gi);
	if (r == -XEN_ENOENT) {
		printf("map: %s: ENOENT (has domain %d run share %d?)\n", gi.path, dom, me);
		return;
	}
	if (r < 0 && gi.status) {
		printf("map: GNTTABOP_map_grant_ref failed: GNTST_%s\n", gntst(gi.status));
		return;
	}
	if (r < 0) {
		printf("map: %s\n", errstr(r));
		return;
	}
	if (gi.fresh) {
		printf("map: %s = %d (XS_READ)\n", gi.path, gi.ref);
		printf("map: GNTTABOP_map_grant_ref: domain %d ref %d -> handle %d at 0x%x\n", dom, gi.ref, gi.handle,
		       gi.va);
	}
	printf("map: the page reads \"%s\"\n", gi.before);
	printf("map: wrote \"%s\"\n", gi.after);
}

/* unmap domid: undo map. */
void unmap_cmd(int argc, char **argv)
{
	struct grantinfo gi;

	if (argc < 2) {
		printf("usage: unmap domid\n");
		return;
	}
	int dom = atoi(argv[1]), r = unmap(dom, &gi);
	if (r < 0 && gi.status)
		printf("unmap: GNTTABOP_unmap_grant_ref failed: GNTST_%s\n", gntst(gi.status));
	else if (r < 0)
		printf("unmap: %s\n", errstr(r));
	else
		printf("unmap: GNTTABOP_unmap_grant_ref of domain %d ref %d (handle %d): okay\n", dom, gi.ref,
		       gi.handle);
}

void grants_cmd(int argc, char **argv)
{
	show(SHOW_GRANTS);
}

/* ping domid [count]: round trips over interdomain event channels. */
void ping_cmd(int argc, char **argv)
{
	struct pinginfo pi;
	char line[128];

	if (argc < 2) {
		printf("usage: ping domid [count]\n");
		return;
	}
	int dom = atoi(argv[1]), n = argc > 2 ? atoi(argv[2]) : 4, me = kstat(KSTAT_DOMID);
	int r = pinglink(dom, &pi, 0), fresh = pi.fresh;
	if (r == -XEN_EAGAIN) {
		printf("ping: waiting for domain %d, which must run ping %d too (Enter stops)\n", dom, me);
		r = pinglink(dom, &pi, 1);
		fresh |= pi.fresh;
	}
	if (r < 0) {
		if (r == -XEN_EINTR)
			gets(line, sizeof(line));
		printf("ping: %s\n", errstr(r));
		return;
	}
	if (fresh)
		printf("ping: offered port %d to domain %d (alloc_unbound, ~/data/ping/%d/port); bound its port %d as "
		       "our port %d (bind_interdomain)\n", pi.out, dom, dom, pi.peer_out, pi.in);
	for (int i = 1; i <= n; i++) {
		int ns = ping(dom);
		if (ns < 0) {
			printf("ping: no answer from domain %d: %s\n", dom, errstr(ns));
			return;
		}
		printf("ping %d: event on port %d, answer from domain %d in %d.%03d us\n", i, pi.out, dom, ns / 1000,
		       ns % 1000);
	}
}
