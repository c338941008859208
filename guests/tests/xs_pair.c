/*
 * xs_pair: two guests find each other through xenstore and talk over an
 * interdomain event channel (ABI map 5.16, 7.2-7.4). The role comes from the
 * command line:
 *   role=a peer=<B's domid>   allocate an unbound port for B, publish it in
 *                             ~/data/xs-pair-port, let B read that node
 *                             (set_perms: owner A, read for B), then answer
 *                             every ping with a pong
 *   role=b peer=<A's domid>   watch A's node until it can read it, bind to
 *                             the port, and ping-pong ROUNDS times
 *   (no role)                 both ends in one domain: a loopback pair
 *                             through its own ~/data, so the boot test that
 *                             runs every test kernel alone also runs this one
 * xenstore through the test library's xenbus client (lib/xenbus.c); the
 * event-channel ends are counted by the library's upcall (evtchn_hits) and
 * waited for with SCHEDOP_block.
 *
 * Expected lines:
 *   OK xenstore read of our own domid
 *   OK alloc_unbound for the peer
 *   OK port published in xenstore
 *   OK peer may read the port node
 *   OK read back the published port
 *   OK bound to the peer's port
 *   OK ping-pong rounds
 */
#include "test.h"
#include "xenbus.h"

#define ROUNDS 5

static unsigned wait_port_no, wait_port_seen;

static int port_hit(void)
{
	return evtchn_hits[wait_port_no] != wait_port_seen;
}

/* Wait for the next event on `port` after `seen` hits; returns the new hit count. */
static unsigned wait_port(unsigned port, unsigned seen)
{
	wait_port_no = port;
	wait_port_seen = seen;
	if (!block_until(port_hit, 1000000))
		check_detail(0, "event on our port", "port %u never fired", port);
	return evtchn_hits[port];
}

static unsigned number(const char *s)
{
	unsigned v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

static void utoa(unsigned v, char *buf)
{
	char tmp[12];
	int n = 0;
	do { tmp[n++] = '0' + v % 10; v /= 10; } while (v);
	while (n) *buf++ = tmp[--n];
	*buf = 0;
}

/* "key=<number>" or "key=a"/"key=b" from the command line, or -1. */
static int arg(const char *key)
{
	const char *s = start_info->cmd_line;
	unsigned kl = strlen(key);
	for (; *s; s++) {
		if ((s == start_info->cmd_line || s[-1] == ' ') && !memcmp(s, key, kl) && s[kl] == '=') {
			if (s[kl + 1] == 'a' || s[kl + 1] == 'b')
				return s[kl + 1];
			return number(s + kl + 1);
		}
	}
	return -1;
}

static long bind_interdomain(unsigned dom, unsigned port, unsigned *local)
{
	struct evtchn_bind_interdomain b = { .remote_dom = dom, .remote_port = port };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
	*local = b.local_port;
	return rc;
}

/* A's side: an unbound port for `peer`, published in ~/data, readable by `peer` only. */
static unsigned publish(unsigned self, unsigned peer)
{
	unsigned port = 0;
	char num[12], perms[32];
	check_eq(evtchn_alloc_unbound(peer, &port), 0, "alloc_unbound for the peer");
	evtchn_unmask(port);
	utoa(port, num);
	check_eq(xs_write(0, "data/xs-pair-port", num), 0, "port published in xenstore");
	/* Owner first (us, no access for others by default), then read for the peer. */
	perms[0] = 'n';
	utoa(self, perms + 1);
	unsigned n = strlen(perms) + 1;
	perms[n] = 'r';
	utoa(peer, perms + n + 1);
	n += strlen(perms + n) + 1;
	check_eq(xs_set_perms(0, "data/xs-pair-port", perms, n), 0, "peer may read the port node");
	return port;
}

void test_main(void)
{
	char buf[64];
	xenbus_init();
	events_enable();
	int role = arg("role"), peer = arg("peer");
	int len = xs_read(0, "domid", buf, sizeof buf);
	check(len > 0, "xenstore read of our own domid");
	unsigned self = number(buf), pongs = 0, hits = 0;
	printf("xs_pair: domain %u, role %c, peer %d\n", self, role > 0 ? role : '-', peer);

	if (role == 'a') {
		unsigned port = publish(self, peer);
		for (unsigned i = 0; i < ROUNDS; i++) {
			hits = wait_port(port, hits);
			evtchn_send(port);
			pongs++;
		}
		check_eq(pongs, ROUNDS, "ping-pong rounds");
		printf("xs_pair: a answered %u pings\n", pongs);
		done();
	}
	if (role == 'b') {
		char path[64] = "/local/domain/", num[12], ev[64], tok[16];
		unsigned events = 0, remote = 0, local = 0;
		utoa(peer, num);
		memcpy(path + strlen(path), num, strlen(num) + 1);
		memcpy(path + strlen(path), "/data/xs-pair-port", 19);
		/* The watch fires at once, then whenever the node changes in a way we may see. */
		check_eq(xs_watch(path, "pair"), 0, "watch on the peer's port node");
		for (;;) {
			check_eq(xs_wait_event(ev, sizeof ev, tok, sizeof tok, 1000000), 0, "watch event");
			events++;
			if (xs_read(0, path, buf, sizeof buf) > 0)
				break;
		}
		remote = number(buf);
		printf("xs_pair: b found port %u of domain %d after %u watch events\n", remote, peer, events);
		check_eq(bind_interdomain(peer, remote, &local), 0, "bound to the peer's port");
		evtchn_unmask(local);
		hits = evtchn_hits[local];
		for (unsigned i = 0; i < ROUNDS; i++) {
			evtchn_send(local);
			hits = wait_port(local, hits);
			pongs++;
		}
		check_eq(pongs, ROUNDS, "ping-pong rounds");
		printf("xs_pair: b got %u pongs\n", pongs);
		done();
	}
	/* Alone: both ends in this domain. */
	unsigned port = publish(self, self), remote = 0, local = 0;
	len = xs_read(0, "data/xs-pair-port", buf, sizeof buf);
	check(len > 0 && number(buf) == port, "read back the published port");
	remote = number(buf);
	check_eq(bind_interdomain(self, remote, &local), 0, "bound to the peer's port");
	evtchn_unmask(local);
	hits = evtchn_hits[local];
	for (unsigned i = 0; i < ROUNDS; i++) {
		evtchn_send(port);
		hits = wait_port(local, hits);
		pongs++;
	}
	check_eq(pongs, ROUNDS, "ping-pong rounds");
	done();
}
