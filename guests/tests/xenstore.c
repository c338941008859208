/*
 * xenstore: a xenbus client over the store ring (ABI map 7.2, 7.3, 7.4), against
 * dom0's xenstored. The toolstack gave us libxl's layout: a home we may read,
 * ~/data we own. We read, write, make and remove nodes, list directories, read
 * and set permissions, watch (the initial event, then one per change, relative
 * paths for a relative watch), unwatch, run transactions (commit, abort, and an
 * EAGAIN conflict made by our own write outside the transaction), and check the
 * error names xenstored sends for what it refuses.
 *
 * Expected lines:
 *   OK the ring advertises the error field, watch depth and DOMID_ANY (14)
 *   OK the ring is connected and has no error
 *   OK get_domain_path names our home
 *   OK read ~/name
 *   OK read ~/domid
 *   OK write and read back data/k (relative)
 *   OK read data/k by its absolute path
 *   OK a value with a NUL in it reads back whole
 *   OK mkdir data/dir, directory of data lists k, bin and dir
 *   OK rm data/dir removes it and what is below it
 *   OK rm of a missing node whose parent exists
 *   OK read of a missing node: ENOENT
 *   OK rm of a node whose parent is missing: ENOENT
 *   OK read of a node only dom0 may read: EACCES
 *   OK write into our read-only home: EACCES
 *   OK a path with a double slash: EINVAL
 *   OK a path with a bad character: EINVAL
 *   OK get_perms of data/k: we own it, others none
 *   OK set_perms data/k n<self> r0 and read them back
 *   OK set_perms giving the node to dom0: EPERM
 *   OK set_perms of a node we do not own: EACCES
 *   OK watch: the initial event names the watched path and token
 *   OK a write below the watch fires one event naming the node written
 *   OK rm of the watched node fires an event
 *   OK a relative watch reports relative paths
 *   OK a second watch with the same path and token: EEXIST
 *   OK unwatch, and a write fires nothing more
 *   OK unwatch of an unknown watch: ENOENT
 *   OK transaction: a write inside is invisible outside until commit
 *   OK transaction commit publishes the write
 *   OK transaction abort discards the write
 *   OK a write outside the transaction to a node it read: commit gets EAGAIN
 *   OK two transactions, the second commit gets EAGAIN
 *   OK transaction_end of an unknown transaction: ENOENT
 *   OK a request in an unknown transaction: ENOENT
 *   OK is_domain_introduced from a guest: EACCES
 *   OK an unknown message type: ENOSYS
 *   OK reset_watches drops our watches
 */
#include "test.h"
#include "xenbus.h"

static char home[64], buf[512], path[160], token[64];
static unsigned self;

/* "<home>/<rel>" into path. */
static const char *abs_path(const char *rel)
{
	unsigned n = strlen(home), m = strlen(rel);

	memcpy(path, home, n);
	path[n] = '/';
	memcpy(path + n + 1, rel, m + 1);
	return path;
}

static int str_eq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && !memcmp(a, b, strlen(a));
}

/* Is name one of the NUL-separated names in list (total len)? */
static int listed(const char *list, int len, const char *name)
{
	int i = 0;

	while (i < len) {
		if (str_eq(list + i, name))
			return 1;
		i += (int)strlen(list + i) + 1;
	}
	return 0;
}

static void utoa(unsigned v, char *out)
{
	char t[12];
	int i = 0, j = 0;

	do {
		t[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		out[j++] = t[--i];
	out[j] = 0;
}

static void ring_checks(void)
{
	check_eq(xs_intf->server_features, 14, "the ring advertises the error field, watch depth and DOMID_ANY (14)");
	check(xs_intf->connection == 0 && xs_intf->error == 0, "the ring is connected and has no error");
}

static void data_checks(void)
{
	char num[12];
	int n;

	utoa(self, num);
	n = xs_get_domain_path(self, home, sizeof(home));
	check_detail(n == 14 + (int)strlen(num) + 1 && !memcmp(home, "/local/domain/", 14) && str_eq(home + 14, num),
		     "get_domain_path names our home", "got %d %s", n, home);

	n = xs_read(0, "name", buf, sizeof(buf));
	check_detail(n > 0 && str_eq(buf, "xenstore.elf"), "read ~/name", "rc %d value %s", n, buf);
	n = xs_read(0, "domid", buf, sizeof(buf));
	check_detail(n > 0 && str_eq(buf, num), "read ~/domid", "rc %d value %s", n, buf);

	n = xs_write(0, "data/k", "value-1");
	check_detail(n == 0 && xs_read(0, "data/k", buf, sizeof(buf)) == 7 && str_eq(buf, "value-1"),
		     "write and read back data/k (relative)", "rc %d", n);
	check(xs_read(0, abs_path("data/k"), buf, sizeof(buf)) == 7 && str_eq(buf, "value-1"), "read data/k by its absolute path");

	abs_path("data/bin");
	n = xs_request(XS_WRITE, 0, path, strlen(path) + 1, "a\0b", 3);
	check(n > 0 && xs_read(0, "data/bin", buf, sizeof(buf)) == 3 && buf[0] == 'a' && buf[1] == 0 && buf[2] == 'b',
	      "a value with a NUL in it reads back whole");

	xs_mkdir(0, "data/dir/sub");
	n = xs_directory(0, "data", buf, sizeof(buf));
	check_detail(listed(buf, n, "k") && listed(buf, n, "bin") && listed(buf, n, "dir"),
		     "mkdir data/dir, directory of data lists k, bin and dir", "rc %d", n);
	n = xs_rm(0, "data/dir");
	check(n == 0 && xs_read(0, "data/dir/sub", buf, sizeof(buf)) == -XEN_ENOENT && xs_read(0, "data/dir", buf, sizeof(buf)) == -XEN_ENOENT,
	      "rm data/dir removes it and what is below it");
	check_eq(xs_rm(0, "data/nothing"), 0, "rm of a missing node whose parent exists");
}

static void error_checks(void)
{
	check_eq(xs_read(0, "data/missing", buf, sizeof(buf)), -XEN_ENOENT, "read of a missing node: ENOENT");
	check_eq(xs_rm(0, "data/no/such"), -XEN_ENOENT, "rm of a node whose parent is missing: ENOENT");
	check_eq(xs_read(0, "/tool/xenstored", buf, sizeof(buf)), -XEN_EACCES, "read of a node only dom0 may read: EACCES");
	check_eq(xs_write(0, "new-node", "x"), -XEN_EACCES, "write into our read-only home: EACCES");
	check_eq(xs_read(0, "data//k", buf, sizeof(buf)), -XEN_EINVAL, "a path with a double slash: EINVAL");
	check_eq(xs_read(0, "data/k!", buf, sizeof(buf)), -XEN_EINVAL, "a path with a bad character: EINVAL");
}

static void perm_checks(void)
{
	char want[32], num[12];
	int n, rc;

	utoa(self, num);
	want[0] = 'n';
	memcpy(want + 1, num, strlen(num) + 1);
	n = xs_get_perms(0, "data/k", buf, sizeof(buf));
	check_detail(n == (int)strlen(want) + 1 && str_eq(buf, want), "get_perms of data/k: we own it, others none",
		     "rc %d first %s", n, buf);

	n = (int)strlen(want) + 1;
	memcpy(want + n, "r0", 3);
	rc = xs_set_perms(0, "data/k", want, (unsigned)n + 3);
	n = xs_get_perms(0, "data/k", buf, sizeof(buf));
	check_detail(rc == 0 && n == (int)strlen(want) + 4 && str_eq(buf, want) && str_eq(buf + strlen(buf) + 1, "r0"),
		     "set_perms data/k n<self> r0 and read them back", "rc %d len %d", rc, n);

	check_eq(xs_set_perms(0, "data/k", "n0", 3), -XEN_EPERM, "set_perms giving the node to dom0: EPERM");
	check_eq(xs_set_perms(0, "name", want, (unsigned)strlen(want) + 1), -XEN_EACCES, "set_perms of a node we do not own: EACCES");
}

static void watch_checks(void)
{
	int rc;

	rc = xs_watch(abs_path("data/w"), "tok1");
	check(rc == 0 && xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10) == 0 &&
	      str_eq(buf, abs_path("data/w")) && str_eq(token, "tok1"),
	      "watch: the initial event names the watched path and token");

	xs_write(0, "data/w/x", "1");
	check(xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10) == 0 &&
	      str_eq(buf, abs_path("data/w/x")) && str_eq(token, "tok1") && xs_events_pending() == 0,
	      "a write below the watch fires one event naming the node written");

	xs_rm(0, "data/w");
	check(xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10) == 0 && str_eq(buf, abs_path("data/w")),
	      "rm of the watched node fires an event");
	while (xs_events_pending())
		xs_wait_event(buf, sizeof(buf), token, sizeof(token), 1);

	rc = xs_watch("data/rel", "tok2");
	check(rc == 0 && xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10) == 0 && str_eq(buf, "data/rel") &&
	      xs_write(0, "data/rel/y", "2") == 0 &&
	      xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10) == 0 && str_eq(buf, "data/rel/y") && str_eq(token, "tok2"),
	      "a relative watch reports relative paths");
	check_eq(xs_watch("data/rel", "tok2"), -XEN_EEXIST, "a second watch with the same path and token: EEXIST");

	rc = xs_unwatch("data/rel", "tok2");
	xs_write(0, "data/rel/y", "3");
	/* A round trip after the write: any event it fired would have arrived before this reply. */
	xs_read(0, "data/rel/y", buf, sizeof(buf));
	check(rc == 0 && xs_events_pending() == 0, "unwatch, and a write fires nothing more");
	check_eq(xs_unwatch("data/rel", "tok2"), -XEN_ENOENT, "unwatch of an unknown watch: ENOENT");
	xs_unwatch(abs_path("data/w"), "tok1");
}

static void transaction_checks(void)
{
	uint32_t tx, tx2;
	int rc;

	xs_write(0, "data/t", "old");
	rc = xs_transaction_start(&tx);
	xs_write(tx, "data/t", "new");
	check(rc == 0 && tx != 0 && xs_read(tx, "data/t", buf, sizeof(buf)) == 3 && str_eq(buf, "new") &&
	      xs_read(0, "data/t", buf, sizeof(buf)) == 3 && str_eq(buf, "old"),
	      "transaction: a write inside is invisible outside until commit");
	rc = xs_transaction_end(tx, 1);
	check(rc == 0 && xs_read(0, "data/t", buf, sizeof(buf)) == 3 && str_eq(buf, "new"), "transaction commit publishes the write");

	xs_transaction_start(&tx);
	xs_write(tx, "data/t", "aborted");
	rc = xs_transaction_end(tx, 0);
	check(rc == 0 && xs_read(0, "data/t", buf, sizeof(buf)) == 3 && str_eq(buf, "new"), "transaction abort discards the write");

	xs_transaction_start(&tx);
	xs_read(tx, "data/t", buf, sizeof(buf));
	xs_write(tx, "data/t2", "mine");
	xs_write(0, "data/t", "meanwhile");
	rc = xs_transaction_end(tx, 1);
	check_detail(rc == -XEN_EAGAIN && xs_read(0, "data/t2", buf, sizeof(buf)) == -XEN_ENOENT,
		     "a write outside the transaction to a node it read: commit gets EAGAIN", "rc %d", rc);

	xs_transaction_start(&tx);
	xs_transaction_start(&tx2);
	xs_read(tx, "data/t", buf, sizeof(buf));
	xs_read(tx2, "data/t", buf, sizeof(buf));
	xs_write(tx, "data/t", "first");
	xs_write(tx2, "data/t", "second");
	rc = xs_transaction_end(tx, 1);
	check_detail(rc == 0 && xs_transaction_end(tx2, 1) == -XEN_EAGAIN && xs_read(0, "data/t", buf, sizeof(buf)) == 5,
		     "two transactions, the second commit gets EAGAIN", "rc %d tx %u tx2 %u", rc, tx, tx2);

	check_eq(xs_transaction_end(tx, 1), -XEN_ENOENT, "transaction_end of an unknown transaction: ENOENT");
	check_eq(xs_read(12345, "data/t", buf, sizeof(buf)), -XEN_ENOENT, "a request in an unknown transaction: ENOENT");
}

static void misc_checks(void)
{
	check_eq(xs_request(XS_IS_DOMAIN_INTRODUCED, 0, "0", 2, 0, 0), -XEN_EACCES, "is_domain_introduced from a guest: EACCES");
	check_eq(xs_request(99, 0, "", 1, 0, 0), -38, "an unknown message type: ENOSYS");

	xs_watch("data", "reset");
	xs_wait_event(buf, sizeof(buf), token, sizeof(token), 10);
	check(xs_request(XS_RESET_WATCHES, 0, "", 1, 0, 0) > 0 && xs_unwatch("data", "reset") == -XEN_ENOENT,
	      "reset_watches drops our watches");
}

void test_main(void)
{
	xenbus_init();
	self = self_domid();
	ring_checks();
	data_checks();
	error_checks();
	perm_checks();
	watch_checks();
	transaction_checks();
	misc_checks();
}
