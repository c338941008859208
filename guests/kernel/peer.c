/*
 * Two domains that talk: the shell's share, map and ping, built from the
 * three things Xen gives domains for it. Grants (grant.c) let one domain map
 * a page of another; event channels (evtchn.c) let them poke each other;
 * xenstore (xenbus.c) is where they find each other's grant references and
 * port numbers, under the publisher's own /local/domain/N/data, readable by
 * the one peer it names.
 *
 *   share D   grant a fresh page to domain D, write a line of text in it, and
 *             publish the reference in ~/data/share/D/ref
 *   map S     read /local/domain/S/data/share/<us>/ref, map that grant, read
 *             the text and write our own
 *   ping D    each side offers a port to the other (alloc_unbound, published
 *             in ~/data/ping/D/port) and binds the one the other offers
 *             (bind_interdomain). On the channel a side offered, it sends pings
 *             and takes the answers; on the one it bound, it answers. Two
 *             channels, so a ping is never mistaken for an answer.
 *
 * Any of them works with our own domain id too, which is how usertests
 * checks them without a second domain.
 */
#include "defs.h"

#define NPEER 4

static struct share {
	int used, dom, ref;
	uint32_t pfn;		/* the page granted */
} shares[NPEER];

static struct link {
	int used, dom;
	int out, in;		/* the port we offered (pings), the one we bound (answers) */
	int peer_out;		/* the peer's port that `in` is bound to */
	volatile unsigned replies, answered;
	char oname[12], iname[12];
} links[NPEER];

/* Copy the text at the start of a shared page: printable bytes up to a NUL, at most TEXTMAX-1. */
void page_text(const volatile char *page, char *out)
{
	int i;

	for (i = 0; i < TEXTMAX - 1 && page[i]; i++)
		out[i] = page[i] >= 0x20 && page[i] < 0x7f ? page[i] : '?';
	out[i] = 0;
}

/* Write a NUL-terminated line of text at the start of a shared page. */
static void page_write(volatile char *page, const char *text)
{
	int i;

	for (i = 0; i < TEXTMAX - 1 && text[i]; i++)
		page[i] = text[i];
	page[i] = 0;
}

/* "<prefix><a><mid><b><suffix>" into buf: the paths below. */
static char *path2(char *buf, const char *prefix, int a, const char *mid, int b, const char *suffix)
{
	strcpy(buf, prefix);
	utoa(a, buf + strlen(buf));
	strcat(buf, mid);
	if (b >= 0)
		utoa(b, buf + strlen(buf));
	strcat(buf, suffix);
	return buf;
}

/* Publish value at ~/data/<what>/<dom>/<leaf>, readable by dom (node and its directory). */
static int publish(const char *what, int dom, const char *leaf, int value, char *path)
{
	char dir[48], num[12];
	int rc;

	strcpy(dir, "data/");
	strcat(dir, what);
	strcat(dir, "/");
	utoa(dom, dir + strlen(dir));
	strcpy(path, dir);
	strcat(path, "/");
	strcat(path, leaf);
	utoa(value, num);
	if ((rc = xs_write(path, num)) < 0)
		return rc;
	if ((rc = xs_share_node(dir, dom)) < 0)
		return rc;
	return xs_share_node(path, dom);
}

/* Is ref one of our shares? Then its text into out. */
int peer_shared_text(int ref, char *out)
{
	for (struct share *s = shares; s < &shares[NPEER]; s++) {
		if (s->used && s->ref == ref) {
			page_text(P2V(s->pfn), out);
			return 1;
		}
	}
	return 0;
}

/* share: grant a page to dom (once) and publish it; write text into it if text. */
int peer_share(int dom, const char *text, struct grantinfo *gi)
{
	struct share *s = 0;
	char def[TEXTMAX];

	for (struct share *t = shares; t < &shares[NPEER]; t++)
		if (t->used && t->dom == dom)
			s = t;
	gi->fresh = !s;
	if (!s) {
		for (s = shares; s < &shares[NPEER] && s->used; s++)
			;
		if (s == &shares[NPEER])
			return -XEN_ENOSPC;
		uint32_t pfn = kzalloc(FR_GRANT);
		int ref = grant_access(dom, p2m[pfn], 0);
		if (ref < 0) {
			kfree(pfn);
			return ref;
		}
		int rc = publish("share", dom, "ref", ref, gi->path);
		if (rc < 0) {
			grant_end(ref);
			kfree(pfn);
			return rc;
		}
		*s = (struct share){ .used = 1, .dom = dom, .ref = ref, .pfn = pfn };
		if (!text)
			text = path2(def, "hello from domain ", xs_domid(), "", -1, "");
	} else {
		path2(gi->path, "data/share/", dom, "/ref", -1, "");
	}
	page_text(P2V(s->pfn), gi->before);
	if (text)
		page_write(P2V(s->pfn), text);
	page_text(P2V(s->pfn), gi->after);
	gi->ref = s->ref;
	gi->mfn = p2m[s->pfn];
	gi->flags = grant_flags(s->ref);
	return 0;
}

/* unshare: end the grant to dom, free the page, remove the published reference. */
int peer_unshare(int dom)
{
	char path[48];

	for (struct share *s = shares; s < &shares[NPEER]; s++) {
		if (!s->used || s->dom != dom)
			continue;
		int rc = grant_end(s->ref);
		if (rc < 0)
			return rc;
		kfree(s->pfn);
		s->used = 0;
		xs_rm(path2(path, "data/share/", dom, "", -1, ""));
		return 0;
	}
	return -XEN_ENOENT;
}

/* map: map what dom shared with us (once), read it, write text (or a greeting). */
int peer_map(int dom, const char *text, struct grantinfo *gi)
{
	char def[TEXTMAX], num[12];
	int slot = grant_find_map(dom);

	path2(gi->path, "/local/domain/", dom, "/data/share/", xs_domid(), "/ref");
	gi->fresh = slot < 0;
	gi->status = GNTST_okay;
	if (slot < 0) {
		int rc = xs_read(gi->path, num, sizeof(num));
		if (rc < 0)
			return rc;
		slot = grant_map(dom, atoi(num), &gi->status);
		if (slot < 0)
			return -XEN_EACCES;
	}
	grant_map_info(slot, &gi->ref, &gi->handle);
	gi->va = (uint32_t)grant_window(slot);
	if (!text)
		text = path2(def, "domain ", xs_domid(), " was here", -1, "");
	page_text(grant_window(slot), gi->before);
	page_write(grant_window(slot), text);
	page_text(grant_window(slot), gi->after);
	return 0;
}

/* unmap: undo map of dom's page. */
int peer_unmap(int dom, struct grantinfo *gi)
{
	int slot = grant_find_map(dom);

	if (slot < 0)
		return -XEN_ENOENT;
	grant_map_info(slot, &gi->ref, &gi->handle);
	gi->status = grant_unmap(slot);
	return gi->status == GNTST_okay ? 0 : -XEN_EINVAL;
}

/* The link to dom (creating an empty one if make), or 0. */
static struct link *link_of(int dom, int make)
{
	struct link *free = 0;

	for (struct link *l = links; l < &links[NPEER]; l++) {
		if (l->used && l->dom == dom)
			return l;
		if (!l->used && !free)
			free = l;
	}
	if (make && free) {
		memset(free, 0, sizeof(*free));
		free->used = 1;
		free->dom = dom;
	}
	return make ? free : 0;
}

/* An answer to one of our pings arrived on the port we offered. */
static void pong_intr(int port)
{
	for (struct link *l = links; l < &links[NPEER]; l++)
		if (l->used && l->out == port)
			l->replies++;
	wakeup_waiters();
}

/* A ping arrived on the port we bound: answer it on the same channel. */
static void ping_intr(int port)
{
	for (struct link *l = links; l < &links[NPEER]; l++)
		if (l->used && l->in == port)
			l->answered++;
	/*T:854 Answering.
	 * Both ends of an interdomain channel can send; EVTCHNOP_send on our
	 * end sets the other end pending. So the answer goes back on the very
	 * port the ping came in on, from inside the handler: sending is allowed
	 * with events masked, and costs one hypercall. :*/
	evtchn_notify(port);
}

static int has_event(void *id)
{
	char path[8];

	return xs_next_event((int)(uintptr_t)id, path, sizeof(path));
}

static int never(void *arg)
{
	return 0;
}

/* The port domain dom published for us at path, waiting for it if wait; -EAGAIN if not there and not wait. */
static int find_peer_port(const char *path, int wait)
{
	char num[12];
	int id, rc;

	if (xs_read(path, num, sizeof(num)) > 0)
		return atoi(num);
	if (!wait)
		return -XEN_EAGAIN;
	if ((id = xs_watch(path, 0)) < 0)
		return id;
	/* The watch's first event comes at once; each later one means "look again". */
	while ((rc = wait_for(has_event, (void *)(uintptr_t)id, 0)) == 0 && xs_read(path, num, sizeof(num)) < 0)
		;
	xs_unwatch(id);
	return rc < 0 ? rc : atoi(num);
}

/*
 * ping's setup: both channels to dom. If wait, wait (Enter interrupts) for the
 * peer to do its half; else return -EAGAIN when it has not yet.
 */
int peer_link(int dom, int wait, struct pinginfo *pi)
{
	struct link *l = link_of(dom, 1);
	char path[64];
	int rc, remote;

	if (!l)
		return -XEN_ENOSPC;
	pi->fresh = !l->out || !l->in;
	if (!l->out) {
		path2(l->oname, "ping>", dom, "", -1, "");
		if ((rc = evtchn_alloc_unbound(dom, pong_intr, l->oname)) < 0)
			return rc;
		l->out = rc;
		if ((rc = publish("ping", dom, "port", l->out, path)) < 0) {
			evtchn_close(l->out);
			l->out = 0;
			return rc;
		}
	}
	if (!l->in) {
		path2(path, "/local/domain/", dom, "/data/ping/", xs_domid(), "/port");
		if ((rc = find_peer_port(path, wait)) < 0)
			return rc;
		l->peer_out = rc;
		path2(l->iname, "ping<", dom, "", -1, "");
		if ((rc = evtchn_bind_interdomain(dom, l->peer_out, ping_intr, l->iname)) < 0)
			return rc;
		l->in = rc;
	}
	/* Has the peer bound the port we offered? Only the hypervisor knows (T:852). */
	while ((rc = evtchn_status(l->out, &remote)) == EVTCHNSTAT_unbound) {
		if (!wait)
			return -XEN_EAGAIN;
		if ((rc = wait_for(never, 0, 10)) != -XEN_ETIMEDOUT)
			return rc;
	}
	if (rc != EVTCHNSTAT_interdomain)
		return rc < 0 ? rc : -XEN_ENOTCONN;
	pi->out = l->out;
	pi->in = l->in;
	pi->peer_out = l->peer_out;
	return 0;
}

struct want {
	struct link *l;
	unsigned seen;
};

static int got_reply(void *arg)
{
	struct want *w = arg;

	return w->l->replies != w->seen;
}

/* One ping to dom: send on the port we offered, wait for the answer. The round trip in ns, or -errno. */
int peer_ping(int dom)
{
	struct link *l = link_of(dom, 0);

	if (!l || !l->out || !l->in)
		return -XEN_ENOTCONN;
	struct want w = { l, l->replies };
	uint64_t t0 = now_ns();
	evtchn_notify(l->out);
	int rc = wait_for(got_reply, &w, 1000);
	return rc < 0 ? rc : (int)(now_ns() - t0);
}

/* Before we shut down: close our channels, unmap what we map, end our grants, remove what we published. */
void peer_cleanup(void)
{
	char path[48];
	int ports = 0, maps = grant_unmap_all(), kept = 0;

	for (struct link *l = links; l < &links[NPEER]; l++) {
		if (!l->used)
			continue;
		if (l->out)
			evtchn_close(l->out), ports++;
		if (l->in)
			evtchn_close(l->in), ports++;
		xs_rm(path2(path, "data/ping/", l->dom, "", -1, ""));
		l->used = 0;
	}
	for (struct share *s = shares; s < &shares[NPEER]; s++)
		if (s->used && peer_unshare(s->dom) < 0)
			kept++;
	if (ports || maps || kept)
		printf("pvos: closed %d event channels, unmapped %d grants; %d grants still mapped by a peer\n", ports,
		       maps, kept);
}
