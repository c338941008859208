/*
 * A xenbus client (ABI map 7.2 and 7.3). The store page's frame and event
 * channel come from start_info; the page is in our initial mapping. Requests go
 * into req[], replies and watch events come back on rsp[], each an xsd_sockmsg
 * header then its payload, as byte streams: a message may wrap around the end of
 * the 1024-byte ring, and we never assume the indexes start at 0.
 */
#include "test.h"
#include "xenbus.h"

struct xenstore_domain_interface *xs_intf;
unsigned xs_port;
struct xsd_sockmsg xs_last;
char xs_body[XS_PAYLOAD_MAX + 1];
static uint32_t next_req = 1;

#define NEVENTS 8
static struct { char path[128]; char token[64]; } events[NEVENTS];
static unsigned ev_head, ev_count;

static const struct { const char *name; int err; } errnames[] = {
	{ "EINVAL", XEN_EINVAL }, { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST },
	{ "EISDIR", XEN_EISDIR }, { "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM },
	{ "ENOSPC", XEN_ENOSPC }, { "EIO", XEN_EIO }, { "ENOTEMPTY", 39 }, { "ENOSYS", 38 },
	{ "EROFS", XEN_EROFS }, { "EBUSY", XEN_EBUSY }, { "EAGAIN", XEN_EAGAIN },
	{ "EISCONN", 106 }, { "E2BIG", XEN_E2BIG }, { "EPERM", XEN_EPERM },
};

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void copy_str(char *d, unsigned size, const char *s)
{
	unsigned i;

	for (i = 0; i + 1 < size && s[i]; i++)
		d[i] = s[i];
	d[i] = 0;
}

void xenbus_init(void)
{
	if (xs_intf)
		return;
	events_init();
	xs_intf = mfn_to_va(start_info->store_mfn);
	xs_port = start_info->store_evtchn;
}

/*
 * Wait for the ring to change. With events masked, SCHEDOP_block unmasks them
 * and returns at once if an event is already pending, so a notification that
 * arrives between our check and the block is not lost.
 */
static int wait_ring(int (*ready)(void), unsigned tries)
{
	events_disable();
	while (!ready() && tries--) {
		HYPERVISOR_sched_op(SCHEDOP_block, 0);
		events_disable();
	}
	events_enable();
	return ready();
}

static unsigned want_space;
static int req_space(void)
{
	return 1024 - (xs_intf->req_prod - xs_intf->req_cons) >= want_space;
}

/* Requests go into req[] at req_prod, masked to the ring; the barrier
 * makes the bytes visible before the new req_prod, and the notification on the
 * store channel tells xenstored to look. */
static void ring_write(const void *p, unsigned n)
{
	const char *s = p;

	while (n) {
		unsigned chunk = n > 512 ? 512 : n, i;
		uint32_t prod;

		want_space = chunk;
		if (!wait_ring(req_space, 1000)) {
			printf("FAILED xenbus: no room on the request ring\n");
			return;
		}
		prod = xs_intf->req_prod;
		for (i = 0; i < chunk; i++)
			xs_intf->req[(prod + i) & 1023] = s[i];
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		xs_intf->req_prod = prod + chunk;
		evtchn_send(xs_port);
		s += chunk;
		n -= chunk;
	}
}

void xs_send_raw(const void *p, unsigned n)
{
	xenbus_init();
	ring_write(p, n);
}

static unsigned want_bytes;
static int rsp_avail(void)
{
	return xs_intf->rsp_prod - xs_intf->rsp_cons >= want_bytes;
}

/* Read n bytes of the reply stream (waiting for them); 0 or -XEN_EIO. */
static int ring_read(void *p, unsigned n)
{
	char *d = p;

	while (n) {
		uint32_t cons, avail, i;

		want_bytes = 1;
		if (!wait_ring(rsp_avail, 1000))
			return -XEN_EIO;
		cons = xs_intf->rsp_cons;
		avail = xs_intf->rsp_prod - cons;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (avail > n)
			avail = n;
		for (i = 0; i < avail; i++)
			d[i] = xs_intf->rsp[(cons + i) & 1023];
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		xs_intf->rsp_cons = cons + avail;
		evtchn_send(xs_port);
		d += avail;
		n -= avail;
	}
	return 0;
}

/* Read one message into xs_last/xs_body; queue it if it is a watch event. */
static int read_message(void)
{
	int rc = ring_read(&xs_last, sizeof(xs_last));

	if (rc)
		return rc;
	if (xs_last.len > XS_PAYLOAD_MAX)
		return -XEN_EIO;
	rc = ring_read(xs_body, xs_last.len);
	if (rc)
		return rc;
	xs_body[xs_last.len] = 0;
	if (xs_last.type == XS_WATCH_EVENT && ev_count < NEVENTS) {
		unsigned slot = (ev_head + ev_count++) % NEVENTS;
		copy_str(events[slot].path, sizeof(events[slot].path), xs_body);
		copy_str(events[slot].token, sizeof(events[slot].token), xs_body + strlen(xs_body) + 1);
	}
	return 0;
}

int xs_request(uint32_t type, uint32_t tx, const void *p1, unsigned n1, const void *p2, unsigned n2)
{
	struct xsd_sockmsg h = { type, next_req++, tx, n1 + n2 };
	unsigned i;
	int rc;

	xenbus_init();
	ring_write(&h, sizeof(h));
	if (n1)
		ring_write(p1, n1);
	if (n2)
		ring_write(p2, n2);
	do {
		rc = read_message();
		if (rc)
			return rc;
	} while (xs_last.type == XS_WATCH_EVENT || xs_last.req_id != h.req_id);
	if (xs_last.type != XS_ERROR)
		return (int)xs_last.len;
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (streq(xs_body, errnames[i].name))
			return -errnames[i].err;
	return -XEN_EINVAL;
}

static int req_path(uint32_t type, uint32_t tx, const char *path)
{
	return xs_request(type, tx, path, strlen(path) + 1, 0, 0);
}

/* Copy the reply body out; the length, or the error. */
static int reply_to(int rc, char *buf, unsigned size)
{
	if (rc < 0)
		return rc;
	if ((unsigned)rc >= size)
		rc = (int)size - 1;
	memcpy(buf, xs_body, rc);
	buf[rc] = 0;
	return rc;
}

static int ok(int rc)
{
	return rc < 0 ? rc : 0;
}

int xs_read(uint32_t tx, const char *path, char *buf, unsigned size)
{
	return reply_to(req_path(XS_READ, tx, path), buf, size);
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
	return ok(xs_request(XS_WRITE, tx, path, strlen(path) + 1, value, strlen(value)));
}

int xs_mkdir(uint32_t tx, const char *path)
{
	return ok(req_path(XS_MKDIR, tx, path));
}

int xs_rm(uint32_t tx, const char *path)
{
	return ok(req_path(XS_RM, tx, path));
}

int xs_directory(uint32_t tx, const char *path, char *buf, unsigned size)
{
	return reply_to(req_path(XS_DIRECTORY, tx, path), buf, size);
}

int xs_get_perms(uint32_t tx, const char *path, char *buf, unsigned size)
{
	return reply_to(req_path(XS_GET_PERMS, tx, path), buf, size);
}

int xs_set_perms(uint32_t tx, const char *path, const char *perms, unsigned n)
{
	return ok(xs_request(XS_SET_PERMS, tx, path, strlen(path) + 1, perms, n));
}

static int watch_req(uint32_t type, const char *path, const char *token)
{
	return ok(xs_request(type, 0, path, strlen(path) + 1, token, strlen(token) + 1));
}

int xs_watch(const char *path, const char *token)
{
	return watch_req(XS_WATCH, path, token);
}

int xs_unwatch(const char *path, const char *token)
{
	return watch_req(XS_UNWATCH, path, token);
}

int xs_transaction_start(uint32_t *tx)
{
	int rc = xs_request(XS_TRANSACTION_START, 0, "", 1, 0, 0);
	uint32_t v = 0;
	const char *p;

	if (rc < 0)
		return rc;
	for (p = xs_body; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	*tx = v;
	return 0;
}

int xs_transaction_end(uint32_t tx, int commit)
{
	return ok(xs_request(XS_TRANSACTION_END, tx, commit ? "T" : "F", 2, 0, 0));
}

int xs_get_domain_path(unsigned domid, char *buf, unsigned size)
{
	char num[12];
	int i = 11;

	num[i] = 0;
	do {
		num[--i] = (char)('0' + domid % 10);
		domid /= 10;
	} while (domid);
	return reply_to(req_path(XS_GET_DOMAIN_PATH, 0, num + i), buf, size);
}

unsigned xs_events_pending(void)
{
	return ev_count;
}

int xs_wait_event(char *path, unsigned psize, char *token, unsigned tsize, unsigned tries)
{
	while (!ev_count) {
		want_bytes = 1;
		if (!tries-- || !wait_ring(rsp_avail, 1000))
			return -XEN_EIO;
		if (read_message())
			return -XEN_EIO;
	}
	copy_str(path, psize, events[ev_head].path);
	copy_str(token, tsize, events[ev_head].token);
	ev_head = (ev_head + 1) % NEVENTS;
	ev_count--;
	return 0;
}
