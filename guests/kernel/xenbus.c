/*
 * xenbus: our client of xenstore, the tree of small strings that domain 0
 * keeps for every domain (its name, its devices, "please shut down") and
 * that domains use to tell each other things (grant references, port
 * numbers). We talk to xenstored over one shared page of two byte rings
 * and one event channel, both named in start_info.
 *
 * A request is a header (struct xsd_sockmsg) and a payload; the reply comes
 * back on the other ring with the same req_id. One request is in flight at a
 * time: a process that wants to talk while another waits for its reply
 * sleeps until it is done. Replies and watch events are read by the store
 * port's handler, so a watch event is seen whenever it arrives. A watch
 * either belongs to the kernel (its function runs in the xenwatch thread,
 * control.c) or to a process (which takes its events with xs_next_event).
 *
 * Every call returns a length or 0 on success, or a negative Xen errno: the
 * one xenstored named in an XS_ERROR reply, or EIO once the ring is broken.
 */
#include "defs.h"

#define MASK (XENSTORE_RING_SIZE - 1)
#define HDR ((uint32_t)sizeof(struct xsd_sockmsg))
#define NWATCH 8
#define NEVQ 4			/* events queued per watch before we drop some */
#define PATHMAX 128

static volatile struct xenstore_domain_interface *ring;
static int port;
static int broken;		/* xenstored broke the ring protocol: no more talking */
static int said_broken;

/* The message being read off the response ring, possibly in pieces. */
static struct xsd_sockmsg in_hdr;
static char in_body[XENSTORE_PAYLOAD_MAX + 1];
static uint32_t in_got;		/* bytes of header, then body, read so far */

/* The one request in flight. */
static int busy, replied;
static uint32_t next_id = 1, want_id;
static struct xsd_sockmsg reply_hdr;
static char reply[XENSTORE_PAYLOAD_MAX + 1];

struct watch {
	int used;
	char path[PATHMAX];
	char token[12];
	void (*fn)(const char *path);	/* a kernel watch; 0 for a process's */
	int pid;			/* the process that owns it */
	char ev[NEVQ][PATHMAX];		/* paths of events not yet taken */
	int head, count;
};
static struct watch watches[NWATCH];
static uint32_t next_token = 1;
static char kwatch_chan;	/* the xenwatch thread sleeps here */
unsigned xs_requests, xs_events, xs_dropped, kwatch_runs;

static const char *const errnames[] = {
	"EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO",
	"ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM",
};
static const int errnums[] = {
	XEN_EINVAL, XEN_EACCES, XEN_EEXIST, XEN_EISDIR, XEN_ENOENT, XEN_ENOMEM, XEN_ENOSPC, XEN_EIO,
	XEN_ENOTEMPTY, XEN_ENOSYS, XEN_EROFS, XEN_EBUSY, XEN_EAGAIN, XEN_EISCONN, XEN_E2BIG, XEN_EPERM,
};

static void xs_intr(int p);

/* Find the store ring and bind its event channel. */
void xenbus_init(void)
{
	/*T:700 Finding xenstore.
	 * The domain builder allocated one page of our memory for the store
	 * ring and the toolstack introduced it to xenstored together with an
	 * event channel, before we ran; start_info names both (store_mfn,
	 * store_evtchn). As with the console (T:210) the mfn becomes an address
	 * through the M2P table and the direct map. The port was allocated for
	 * us, unbound-for-dom0 until xenstored bound it, so we only attach a
	 * handler and unmask it. The ring's indexes are not necessarily zero:
	 * we continue from whatever they say. :*/
	uint32_t pfn = M2P[si->store_mfn];

	if (pfn >= nr_pages)
		panic("xenstore ring mfn %x has no pfn", si->store_mfn);
	ring = P2V(pfn);
	port = si->store_evtchn;
	evtchn_bind(port, xs_intr, "xenstore");
}

/* Put n bytes on the request ring, sleeping while it is full. Events masked. */
static void ring_put(const void *p, uint32_t n)
{
	const char *s = p;

	while (n > 0 && !broken) {
		uint32_t prod = ring->req_prod;
		uint32_t space = XENSTORE_RING_SIZE - (prod - ring->req_cons);
		if (space > XENSTORE_RING_SIZE) {
			broken = 1;	/* req_cons ran past req_prod */
			break;
		}
		if (space == 0) {
			sleep((void *)&ring->req_cons);
			continue;
		}
		uint32_t k = n < space ? n : space;
		/*T:710 Sending a request.
		 * The request ring is a byte stream with free-running 32-bit
		 * indexes: byte i lives at req[i % 1024], and req_prod - req_cons
		 * is what xenstored has not read yet. A message need not fit in one
		 * go (a write may carry 4 KiB), so we copy what there is room for,
		 * possibly wrapping past the end of req[], then publish: the bytes
		 * first, a barrier, then the new req_prod, then a notification on
		 * the store port so xenstored looks. When the ring is full we sleep
		 * until xenstored's notification says it has read some. :*/
		for (uint32_t i = 0; i < k; i++)
			ring->req[(prod + i) & MASK] = s[i];
		mb();
		ring->req_prod = prod + k;
		evtchn_notify(port);
		s += k;
		n -= k;
	}
}

/* Queue a watch event for the watch whose token it carries. */
static void watch_event(const char *body, uint32_t len)
{
	const char *path = body, *token = body + strlen(body) + 1;

	if (token >= body + len)
		return;
	xs_events++;
	for (struct watch *w = watches; w < &watches[NWATCH]; w++) {
		if (!w->used || strcmp(w->token, token))
			continue;
		if (w->count == NEVQ) {
			xs_dropped++;
			return;
		}
		strncpy(w->ev[(w->head + w->count++) % NEVQ], path, PATHMAX - 1);
		if (w->fn)
			wakeup(&kwatch_chan);
		else
			wakeup_waiters();
		return;
	}
}

/* A whole message has arrived: a reply for the waiting request, or a watch event. */
static void deliver(void)
{
	in_body[in_hdr.len] = 0;
	if (in_hdr.type == XS_WATCH_EVENT) {
		watch_event(in_body, in_hdr.len);
		return;
	}
	if (!busy || replied || in_hdr.req_id != want_id) {
		printf("xenbus: reply %u to no request we made; dropped\n", in_hdr.req_id);
		return;
	}
	reply_hdr = in_hdr;
	memcpy(reply, in_body, in_hdr.len + 1);
	replied = 1;
	wakeup(&replied);
}

/* Handler of the store port: read whatever xenstored has put on the response ring. */
static void xs_intr(int p)
{
	int moved = 0;

	/*T:720 Reading replies and watch events.
	 * xenstored writes replies and watch events to rsp[] the same way we
	 * write requests, and notifies the store port. A message can arrive in
	 * pieces: a 4 KiB reply does not fit in a 1 KiB ring, so xenstored
	 * writes what fits and the rest once we have made room. We therefore
	 * read the stream into a header and then a body, however the bytes come,
	 * and act on a message only when it is whole. After taking bytes we
	 * publish the new rsp_cons and notify, since xenstored may be waiting
	 * for room. An index more than a ring ahead, or a payload longer than
	 * the protocol allows, means the other side is broken: we stop using
	 * the ring rather than read garbage. :*/
	while (!broken) {
		uint32_t cons = ring->rsp_cons, prod = ring->rsp_prod;
		mb();
		uint32_t avail = prod - cons;
		if (avail == 0)
			break;
		if (avail > XENSTORE_RING_SIZE) {
			broken = 1;
			break;
		}
		uint32_t want = in_got < HDR ? HDR - in_got : HDR + in_hdr.len - in_got;
		uint32_t n = avail < want ? avail : want;
		char *dst = in_got < HDR ? (char *)&in_hdr + in_got : in_body + (in_got - HDR);
		for (uint32_t i = 0; i < n; i++)
			dst[i] = ring->rsp[(cons + i) & MASK];
		mb();
		ring->rsp_cons = cons + n;
		moved = 1;
		in_got += n;
		if (in_got == HDR && in_hdr.len > XENSTORE_PAYLOAD_MAX) {
			broken = 1;
			break;
		}
		if (in_got >= HDR && in_got == HDR + in_hdr.len) {
			in_got = 0;
			deliver();
		}
	}
	if (moved)
		evtchn_notify(p);
	if (broken && !said_broken) {
		said_broken = 1;
		printf("xenbus: xenstored broke the ring protocol; xenstore is gone\n");
	}
	wakeup(&replied);
	wakeup((void *)&ring->req_cons);
}

/* The errno of an XS_ERROR reply's name. */
static int errno_of(const char *name)
{
	for (unsigned i = 0; i < sizeof(errnums) / sizeof(errnums[0]); i++)
		if (!strcmp(name, errnames[i]))
			return -errnums[i];
	return -XEN_EINVAL;
}

/*
 * Send a request whose payload is a (na bytes) then b (nb bytes), wait for
 * its reply and copy up to n-1 bytes of that into out (NUL-terminated; out may
 * be 0). Returns the reply's full length, or -errno. Process context only.
 */
static int xs_talk(uint32_t type, const void *a, uint32_t na, const void *b, uint32_t nb, char *out, int n)
{
	if (cur == &proc[0])
		panic("xenbus used by the idle process: it cannot sleep for a reply");
	if (na + nb > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	int was = irq_save(), rc;
	while (busy)
		sleep(&busy);
	if (broken) {
		irq_restore(was);
		return -XEN_EIO;
	}
	busy = 1;
	replied = 0;
	struct xsd_sockmsg h = { .type = type, .req_id = next_id++, .tx_id = 0, .len = na + nb };
	want_id = h.req_id;
	xs_requests++;
	ring_put(&h, HDR);
	ring_put(a, na);
	ring_put(b, nb);
	while (!replied && !broken)
		sleep(&replied);
	if (!replied) {
		rc = -XEN_EIO;
	} else if (reply_hdr.type == XS_ERROR) {
		rc = errno_of(reply);
	} else {
		rc = reply_hdr.len;
		if (out && n > 0) {
			int k = rc < n - 1 ? rc : n - 1;
			memcpy(out, reply, k);
			out[k] = 0;
		}
	}
	busy = 0;
	wakeup(&busy);
	irq_restore(was);
	return rc;
}

/* A request whose payload is just a path. */
static int path_req(uint32_t type, const char *path, char *out, int n)
{
	return xs_talk(type, path, strlen(path) + 1, 0, 0, out, n);
}

/* Read path's value into buf (NUL-terminated, truncated to n-1); its length or -errno. */
int xs_read(const char *path, char *buf, int n)
{
	return path_req(XS_READ, path, buf, n);
}

/* Write len bytes of val to path, creating it and missing parents. */
int xs_write_n(const char *path, const char *val, int len)
{
	int rc = xs_talk(XS_WRITE, path, strlen(path) + 1, val, len, 0, 0);

	return rc < 0 ? rc : 0;
}

/* Write the string val to path. */
int xs_write(const char *path, const char *val)
{
	return xs_write_n(path, val, strlen(val));
}

/* Remove path and everything below it. */
int xs_rm(const char *path)
{
	int rc = path_req(XS_RM, path, 0, 0);

	return rc < 0 ? rc : 0;
}

/* The names of path's children, each NUL-terminated, into buf; the list's length or -errno. */
int xs_directory(const char *path, char *buf, int n)
{
	return path_req(XS_DIRECTORY, path, buf, n);
}

/* Set path's permissions: perms holds n bytes of NUL-terminated entries, owner first. */
int xs_set_perms(const char *path, const char *perms, int n)
{
	/*T:740 Who may read a node.
	 * Every node carries a permission list: the first entry names its owner
	 * and what every other domain may do ("n1": owned by domain 1, others
	 * nothing), the rest are exceptions ("r2": domain 2 may read). A node
	 * we create inherits its parent's list, and our ~/data is ours alone,
	 * so before a peer can read something we publish there we must say so
	 * with XS_SET_PERMS: path, then each entry, all NUL-terminated. Only the
	 * owner (or domain 0) may change the list. :*/
	int rc = xs_talk(XS_SET_PERMS, path, strlen(path) + 1, perms, n, 0, 0);

	return rc < 0 ? rc : 0;
}

/* Let domain dom read path, which we own (and no one else). */
int xs_share_node(const char *path, int dom)
{
	char perms[24];
	int n = 0;

	perms[n++] = 'n';
	n += utoa(xs_domid(), perms + n) + 1;
	perms[n++] = 'r';
	n += utoa(dom, perms + n) + 1;
	return xs_set_perms(path, perms, n);
}

/* Our domain id, read once from ~/domid. */
int xs_domid(void)
{
	static int domid = -1;
	char buf[12];

	if (domid < 0 && xs_read("domid", buf, sizeof(buf)) > 0)
		domid = atoi(buf);
	return domid;
}

/*
 * Watch path: events go to fn in the xenwatch thread, or (fn 0) to the
 * calling process. Returns the watch's id or -errno.
 */
int xs_watch(const char *path, void (*fn)(const char *path))
{
	int was = irq_save(), id;
	struct watch *w;

	for (id = 0; id < NWATCH && watches[id].used; id++)
		;
	if (id == NWATCH || strlen(path) >= PATHMAX) {
		irq_restore(was);
		return id == NWATCH ? -XEN_ENOSPC : -XEN_E2BIG;
	}
	w = &watches[id];
	memset(w, 0, sizeof(*w));
	w->used = 1;
	strcpy(w->path, path);
	w->token[0] = 't';
	utoa(next_token++, w->token + 1);
	w->fn = fn;
	w->pid = cur->pid;
	irq_restore(was);
	/*T:730 Watching a node.
	 * XS_WATCH carries a path and a token of our choosing. From then on,
	 * whenever that node or anything below it is written or removed,
	 * xenstored sends an XS_WATCH_EVENT message (path that changed, then
	 * the token) on the response ring, between replies, at any time. It
	 * also sends one at once, so a watcher never misses the state from
	 * before it watched: the first event says "look now", not "it changed".
	 * Events only say which path; the watcher reads the value itself. The
	 * token is how we tell our watches apart, so the slot is filled in
	 * before the request goes out: the first event may come before the
	 * reply. :*/
	int rc = xs_talk(XS_WATCH, path, strlen(path) + 1, w->token, strlen(w->token) + 1, 0, 0);
	if (rc < 0) {
		w->used = 0;
		return rc;
	}
	return id;
}

/* Remove watch id. */
int xs_unwatch(int id)
{
	if (id < 0 || id >= NWATCH || !watches[id].used)
		return -XEN_EINVAL;
	struct watch *w = &watches[id];
	int rc = xs_talk(XS_UNWATCH, w->path, strlen(w->path) + 1, w->token, strlen(w->token) + 1, 0, 0);
	w->used = 0;
	return rc < 0 ? rc : 0;
}

/* Take the oldest event of watch id into path; 1 if there was one, 0 if not. */
int xs_next_event(int id, char *path, int n)
{
	int was = irq_save(), got = 0;
	struct watch *w = id >= 0 && id < NWATCH ? &watches[id] : 0;

	if (w && w->used && w->count > 0) {
		strncpy(path, w->ev[w->head], n - 1);
		path[n - 1] = 0;
		w->head = (w->head + 1) % NEVQ;
		w->count--;
		got = 1;
	}
	irq_restore(was);
	return got;
}

/* Has watch id an event waiting? */
int xs_event_pending(int id)
{
	return id >= 0 && id < NWATCH && watches[id].used && watches[id].count > 0;
}

/* Is watch id one of the current process's? */
int xs_watch_mine(int id)
{
	return id >= 0 && id < NWATCH && watches[id].used && !watches[id].fn && watches[id].pid == cur->pid;
}

/* The xenwatch thread: wait for a kernel watch's event; run its function. Never returns. */
void xs_run_kernel_watches(void)
{
	char path[PATHMAX];

	for (;;) {
		int was = irq_save();
		struct watch *w = 0;
		while (!w) {
			for (struct watch *v = watches; v < &watches[NWATCH]; v++)
				if (v->used && v->fn && v->count > 0)
					w = v;
			if (!w)
				sleep(&kwatch_chan);
		}
		void (*fn)(const char *) = w->fn;
		xs_next_event(w - watches, path, sizeof(path));
		kwatch_runs++;
		irq_restore(was);
		fn(path);
	}
}

/* A process is exiting: remove its watches. */
void xs_exit(int pid)
{
	for (int id = 0; id < NWATCH; id++)
		if (watches[id].used && !watches[id].fn && watches[id].pid == pid)
			xs_unwatch(id);
}

/* The store port (for messages that name it). */
int xs_port(void)
{
	return port;
}
