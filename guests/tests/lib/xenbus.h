/*
 * xenbus.c: a small xenstore client over the store ring (ABI map 7.2, 7.3).
 * Requests are synchronous: send one, wait for the reply with its req_id. Watch
 * events that arrive meanwhile are kept in a small queue for xs_wait_event().
 * Every call returns 0 (or a length) on success and -XEN_E* for an XS_ERROR
 * reply, the errno named by its string; -XEN_EIO if xenstored stops answering.
 */
#ifndef TESTS_LIB_XENBUS_H
#define TESTS_LIB_XENBUS_H

#include <stdint.h>

#define XS_CONTROL 0
#define XS_DIRECTORY 1
#define XS_READ 2
#define XS_GET_PERMS 3
#define XS_WATCH 4
#define XS_UNWATCH 5
#define XS_TRANSACTION_START 6
#define XS_TRANSACTION_END 7
#define XS_INTRODUCE 8
#define XS_RELEASE 9
#define XS_GET_DOMAIN_PATH 10
#define XS_WRITE 11
#define XS_MKDIR 12
#define XS_RM 13
#define XS_SET_PERMS 14
#define XS_WATCH_EVENT 15
#define XS_ERROR 16
#define XS_IS_DOMAIN_INTRODUCED 17
#define XS_RESET_WATCHES 21
#define XS_DIRECTORY_PART 22
#define XS_GET_FEATURE 23

/* struct xenstore_domain_interface (xs_wire.h) */
struct xenstore_domain_interface {
	char req[1024];
	char rsp[1024];
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
	uint32_t evtchn_port;
};

struct xsd_sockmsg {
	uint32_t type, req_id, tx_id, len;
};

#define XS_PAYLOAD_MAX 4096

/* The ring (mapped from start_info.store_mfn), and our store port. */
extern struct xenstore_domain_interface *xs_intf;
extern unsigned xs_port;
/* The header and payload of the last reply (NUL added after the payload). */
extern struct xsd_sockmsg xs_last;
extern char xs_body[XS_PAYLOAD_MAX + 1];

/* Map the ring and set up events; idempotent. */
void xenbus_init(void);
/* Send a request whose payload is the concatenation of parts (lengths given); wait for its reply. */
int xs_request(uint32_t type, uint32_t tx, const void *p1, unsigned n1, const void *p2, unsigned n2);
/* Put raw bytes on the request ring (for tests of malformed input) and notify. */
void xs_send_raw(const void *p, unsigned n);

int xs_read(uint32_t tx, const char *path, char *buf, unsigned size);	/* length read */
int xs_write(uint32_t tx, const char *path, const char *value);
int xs_mkdir(uint32_t tx, const char *path);
int xs_rm(uint32_t tx, const char *path);
int xs_directory(uint32_t tx, const char *path, char *buf, unsigned size);	/* NUL-separated names */
int xs_get_perms(uint32_t tx, const char *path, char *buf, unsigned size);
/* perms: NUL-separated strings, total length n (each with its NUL) */
int xs_set_perms(uint32_t tx, const char *path, const char *perms, unsigned n);
int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
int xs_transaction_start(uint32_t *tx);
int xs_transaction_end(uint32_t tx, int commit);
int xs_get_domain_path(unsigned domid, char *buf, unsigned size);

/* Take the oldest watch event (waiting for one up to `tries` wake-ups). 0 or -XEN_EIO. */
int xs_wait_event(char *path, unsigned psize, char *token, unsigned tsize, unsigned tries);
/* Watch events queued and not yet taken. */
unsigned xs_events_pending(void);

#endif
