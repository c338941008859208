/*
 * The CPU benchmark workload (see work.h): the integer loops a kernel spends
 * its time in. Each round runs, on fresh pseudo-random data:
 *
 *   memcpy/memset/memcmp   word-at-a-time with byte tails, as lib/string.c
 *   crc32                  table-driven, little-endian (the Ethernet polynomial)
 *   hash table             chained buckets, multiplicative hash, insert + lookup
 *   sort                   quicksort with an insertion sort for short runs
 *   linked list            a doubly linked list: insert, walk, delete, walk
 *   bitmap allocator       find-first-zero over words, set, free, reallocate
 *   command-line parsing   format "key=value" pairs, then tokenise, strncmp, strtoul
 *   structure copies       task-like structs copied by assignment, checked with memcmp
 *
 * Integer only (the CPU has no FPU), no libc, no initialised writable data
 * (every round sets up what it uses), so any number of calls give the same
 * checksum. Nothing here may depend on the environment: the emulator and the
 * host must agree bit for bit.
 */
#include "work.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned int size_t;
/* Word accesses to byte buffers, allowed to alias anything (as -fno-strict-aliasing would). */
typedef u32 __attribute__((may_alias)) u32a;

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- string.c: gcc may also call these for struct copies and clears ---- */

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((((u32)d | (u32)s) & 3) == 0) {
		for (; n >= 4; n -= 4, d += 4, s += 4)
			*(u32a *)d = *(const u32a *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	u32 w = (u8)c * 0x01010101u;

	for (; n && ((u32)d & 3); n--)
		*d++ = (u8)c;
	for (; n >= 4; n -= 4, d += 4)
		*(u32a *)d = w;
	while (n--)
		*d++ = (u8)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

static size_t kstrlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

static int kstrncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

static const char *kstrchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return s;
	return 0;
}

/* Digits of v in `base` into buf (no terminator); returns the length. */
static int kutoa(char *buf, u32 v, u32 base)
{
	char tmp[12];
	int n = 0, i;

	do {
		u32 d = v % base;
		tmp[n++] = d < 10 ? '0' + d : 'a' + d - 10;
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* Like the kernel's simple_strtoul with base 0: "0x" means hex, else decimal. */
static u32 kstrtoul(const char *s, const char **end)
{
	u32 v = 0, base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		u32 d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	*end = s;
	return v;
}

/* ---- a deterministic source of data: xorshift32 ---- */

static u32 seed;

static u32 rnd(void)
{
	u32 x = seed;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	seed = x;
	return x;
}

static u32 mix(u32 sum, u32 v)
{
	return ((sum << 5) | (sum >> 27)) ^ v;
}

/* ---- crc32 ---- */

static u32 crc_table[256];

static void crc32_init(void)
{
	u32 i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
		crc_table[i] = c;
	}
}

static u32 crc32_le(u32 crc, const u8 *p, size_t len)
{
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- memory: copies, clears and compares of a few sizes and alignments ---- */

#define BUF 2048
static u8 buf_a[BUF], buf_b[BUF];

static u32 round_mem(void)
{
	u32 sum = 0, i, off, len;

	for (i = 0; i < BUF / 4; i++)
		((u32a *)buf_a)[i] = rnd();
	memset(buf_b, 0, BUF);
	for (i = 0; i < 8; i++) {
		off = rnd() & 7;
		len = 256 + (rnd() & 1023);
		memcpy(buf_b + off, buf_a + (i & 3), len);
		sum = mix(sum, memcmp(buf_b + off, buf_a + (i & 3), len));
		buf_b[off + (len >> 1)] ^= 0x40;
		sum = mix(sum, (u32)memcmp(buf_b + off, buf_a + (i & 3), len));
		memset(buf_b + (rnd() & 255), (int)i, 100 + (rnd() & 255));
	}
	sum = mix(sum, crc32_le(0, buf_a, BUF));
	sum = mix(sum, crc32_le(sum, buf_b, BUF / 2));
	return sum;
}

/* ---- hash table ---- */

#define HT_BITS 8
#define HT_KEYS 384

struct hnode {
	u32 key;
	u32 val;
	struct hnode *next;
};

static struct hnode *htab[1 << HT_BITS];
static struct hnode hpool[HT_KEYS];
static u32 hkeys[HT_KEYS];

static u32 hash32(u32 key)
{
	return (key * 0x9e3779b1u) >> (32 - HT_BITS);
}

static struct hnode *ht_find(u32 key)
{
	struct hnode *n;

	for (n = htab[hash32(key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return 0;
}

static u32 round_hash(void)
{
	u32 sum = 0, used = 0, i, k;
	struct hnode *n;

	memset(htab, 0, sizeof(htab));
	for (i = 0; i < HT_KEYS; i++) {
		k = rnd() & 0xfffff;
		hkeys[i] = k;
		n = ht_find(k);
		if (n) {
			n->val += i;
			continue;
		}
		n = &hpool[used++];
		n->key = k;
		n->val = i;
		n->next = htab[hash32(k)];
		htab[hash32(k)] = n;
	}
	for (i = 0; i < 2 * HT_KEYS; i++) {
		k = i & 1 ? hkeys[(i * 7) % HT_KEYS] : rnd() & 0xfffff;
		n = ht_find(k);
		sum = mix(sum, n ? n->val : 0xdead);
	}
	return mix(sum, used);
}

/* ---- sorting ---- */

#define NSORT 256
static int sarr[NSORT];

static void insertion_sort(int *a, int n)
{
	int i, j, v;

	for (i = 1; i < n; i++) {
		v = a[i];
		for (j = i - 1; j >= 0 && a[j] > v; j--)
			a[j + 1] = a[j];
		a[j + 1] = v;
	}
}

static void quick_sort(int *a, int n)
{
	while (n > 12) {
		int p = a[n >> 1], i = 0, j = n - 1, t;

		for (;;) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i >= j)
				break;
			t = a[i]; a[i] = a[j]; a[j] = t;
			i++;
			j--;
		}
		/* Recurse into the smaller part, loop on the larger (bounded stack). */
		if (j + 1 < n - j - 1) {
			quick_sort(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			quick_sort(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

static u32 round_sort(void)
{
	u32 sum = 0;
	int i;

	for (i = 0; i < NSORT; i++)
		sarr[i] = (int)(rnd() % 100000) - 50000;
	quick_sort(sarr, NSORT);
	for (i = 1; i < NSORT; i++)
		if (sarr[i - 1] > sarr[i])
			sum += 0x1000000;	/* not sorted: poisons the checksum */
	return mix(mix(mix(sum, (u32)sarr[0]), (u32)sarr[NSORT / 2]), (u32)sarr[NSORT - 1]);
}

/* ---- linked list ---- */

struct list_head {
	struct list_head *next, *prev;
};

struct item {
	u32 val;
	struct list_head link;
};

#define NITEMS 256
#define item_of(p) ((struct item *)((u8 *)(p) - __builtin_offsetof(struct item, link)))

static struct item items[NITEMS];
static u16 perm[NITEMS];

static void list_add_tail(struct list_head *n, struct list_head *head)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

static void list_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

static u32 list_walk(struct list_head *head)
{
	struct list_head *p;
	u32 sum = 0, pos = 0;

	for (p = head->next; p != head; p = p->next)
		sum += item_of(p)->val * ++pos;
	return sum;
}

static u32 round_list(void)
{
	struct list_head head = { &head, &head };
	u32 i, j, t, sum;

	for (i = 0; i < NITEMS; i++)
		perm[i] = (u16)i;
	for (i = NITEMS - 1; i > 0; i--) {	/* Fisher-Yates */
		j = rnd() % (i + 1);
		t = perm[i]; perm[i] = perm[j]; perm[j] = (u16)t;
	}
	for (i = 0; i < NITEMS; i++) {
		items[perm[i]].val = rnd() & 0xffff;
		list_add_tail(&items[perm[i]].link, &head);
	}
	sum = list_walk(&head);
	for (i = 0; i < NITEMS; i += 3)
		list_del(&items[i].link);
	return mix(sum, list_walk(&head));
}

/* ---- bitmap allocator ---- */

#define NBITS 2048
static u32 bitmap[NBITS / 32];

static int find_first_zero_bit(const u32 *map, int nbits)
{
	int w;

	for (w = 0; w < nbits / 32; w++)
		if (~map[w])
			return w * 32 + __builtin_ctz(~map[w]);
	return nbits;
}

static int bit_alloc(void)
{
	int b = find_first_zero_bit(bitmap, NBITS);

	if (b < NBITS)
		bitmap[b >> 5] |= 1u << (b & 31);
	return b;
}

static u32 round_bitmap(void)
{
	u32 sum = 0, i, b;

	memset(bitmap, 0, sizeof(bitmap));
	for (i = 0; i < 600; i++)
		sum += bit_alloc();
	for (i = 0; i < 200; i++) {
		b = rnd() % 600;
		bitmap[b >> 5] &= ~(1u << (b & 31));
	}
	for (i = 0; i < 300; i++)
		sum = mix(sum, bit_alloc());
	return sum;
}

/* ---- command-line parsing ---- */

static const char *const params[] = {
	"mem", "console", "loglevel", "root", "maxcpus", "nr_irqs", "swiotlb", "xen_pages",
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))
static char cmdline[512];

static u32 round_parse(void)
{
	u32 sum = 0, i, v, k, n = 0, found;
	const char *p, *eq, *end;

	for (i = 0; i < 24; i++) {
		k = rnd() % NPARAMS;
		v = rnd();
		v >>= rnd() & 31;
		memcpy(cmdline + n, params[k], kstrlen(params[k]));
		n += kstrlen(params[k]);
		cmdline[n++] = '=';
		if (v & 1) {
			cmdline[n++] = '0';
			cmdline[n++] = 'x';
			n += kutoa(cmdline + n, v, 16);
		} else {
			n += kutoa(cmdline + n, v, 10);
		}
		cmdline[n++] = ' ';
	}
	cmdline[n] = 0;
	for (p = cmdline; *p; p = end) {
		while (*p == ' ')
			p++;
		eq = kstrchr(p, '=');
		if (!eq)
			break;
		found = NPARAMS;
		for (k = 0; k < NPARAMS; k++)
			if (kstrlen(params[k]) == (size_t)(eq - p) && !kstrncmp(p, params[k], eq - p))
				found = k;
		v = kstrtoul(eq + 1, &end);
		sum = mix(sum, v + found);
	}
	return mix(sum, kstrlen(cmdline));
}

/* ---- structure copies ---- */

struct task {
	u32 pid, state, flags;
	u32 regs[10];
	char comm[16];
	struct task *parent;
	u16 prio, cpu;
};

#define NTASKS 32
static struct task tasks[NTASKS], saved[NTASKS];

static u32 round_struct(void)
{
	struct task t;
	u32 sum = 0, i, j;

	for (i = 0; i < NTASKS; i++) {
		tasks[i].pid = i + 1;
		tasks[i].state = rnd() & 3;
		tasks[i].flags = rnd();
		for (j = 0; j < 10; j++)
			tasks[i].regs[j] = rnd();
		memset(tasks[i].comm, 0, sizeof(tasks[i].comm));
		memcpy(tasks[i].comm, "kworker/", 8);
		tasks[i].comm[8] = (char)('0' + i % 10);
		tasks[i].parent = &tasks[i / 2];
		tasks[i].prio = (u16)(rnd() & 139);
		tasks[i].cpu = (u16)(i & 1);
	}
	for (i = 0; i < NTASKS; i++)
		saved[i] = tasks[i];
	for (i = 0; i < 64; i++) {
		j = rnd() % NTASKS;
		t = tasks[j];		/* a context-switch-like save, modify, restore */
		t.regs[i % 10] += i;
		t.state ^= 1;
		tasks[(j + 1) % NTASKS] = t;
	}
	for (i = 0; i < NTASKS; i++) {
		sum = mix(sum, memcmp(&tasks[i], &saved[i], sizeof(struct task)) != 0);
		sum = mix(sum, tasks[i].regs[i % 10] ^ tasks[i].state ^ tasks[i].parent->pid);
	}
	return sum;
}

/* ---- the driver ---- */

unsigned int work(unsigned int iterations)
{
	u32 sum = 0x12345678, i;

	crc32_init();
	for (i = 0; i < iterations; i++) {
		seed = 0x2545f491u ^ (i * 0x9e3779b9u);
		if (!seed)
			seed = 1;
		sum = mix(sum, round_mem());
		sum = mix(sum, round_hash());
		sum = mix(sum, round_sort());
		sum = mix(sum, round_list());
		sum = mix(sum, round_bitmap());
		sum = mix(sum, round_parse());
		sum = mix(sum, round_struct());
	}
	return sum;
}
