/*
 * The differential-test harness: a freestanding 32-bit Linux program that runs
 * a batch of test cases natively and reports the final state of each.
 *
 * stdin:  a batch (format below, written by tools/difftest/native.ts).
 * stdout: a header describing this process's segments, then one record per case.
 *
 * For each case it lays out the three fixed regions the emulator side uses too
 * (code, data, stack), fills data and stack from per-case seeds with the same
 * generator as tools/difftest/fill.ts, applies the case's patches, sets every
 * general register and EFLAGS, and jumps to the code. The code ends with INT3;
 * faults end it early. Either way a signal handler reads the final registers,
 * EFLAGS, trap number, error code and EIP from the signal context, and the
 * harness then lists every byte of data and stack that differs from the initial
 * image.
 *
 * Input (little-endian):
 *   u32 magic 'DTI1', u32 total bytes, u32 case count, u32 n, u32 interesting[n]
 *   per case: u16 code length, u16 patch count, u32 eax ecx edx ebx esp ebp esi edi,
 *             u32 eflags, u32 data seed, u32 stack seed, u32 code offset, code bytes,
 *             patches: { u32 address, u32 value } (4-byte stores, applied in order)
 * Output:
 *   u32 magic 'DTO1', u32 cs ds es ss fs gs, then 16 x { u32 lar, u32 lar_ok, u32 lsl, u32 lsl_ok }
 *     for the GDT selectors index*8+3
 *   per case: u32 signal, trapno, err, eip, eflags, cr2, eax ecx edx ebx esp ebp esi edi,
 *             u32 n, then n x u32 ((address - 0x200000) << 8 | new byte value)
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define CODE 0x00100000u
#define CODE_SIZE 0x2000u
#define DATA 0x00200000u
#define STACK 0x00300000u
#define REGION 0x2000u
#define CHANGE_BASE 0x00200000u

long sys6(long nr, long a, long b, long c, long d, long e, long f);
void run_case(u32 *state);
void resume_case(void);
void sig_restorer(void);
extern u32 saved_esp, code_entry;

#define SYS_read 3
#define SYS_write 4
#define SYS_alarm 27
#define SYS_mmap2 192
#define SYS_rt_sigaction 174
#define SYS_sigaltstack 186

/* The i386 signal context (struct sigcontext) inside struct ucontext. */
struct sigctx {
	u16 gs, gsh, fs, fsh, es, esh, ds, dsh;
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 trapno, err, eip;
	u16 cs, csh;
	u32 eflags, esp_at_signal;
	u16 ss, ssh;
	u32 fpstate, oldmask, cr2;
};
struct ucontext32 {
	u32 uc_flags, uc_link;
	u32 ss_sp, ss_flags, ss_size;
	struct sigctx mc;
};
struct ksigaction {
	void *handler;
	u32 flags;
	void *restorer;
	u32 mask[2];
};

#define SA_SIGINFO 0x4u
#define SA_ONSTACK 0x08000000u
#define SA_RESTORER 0x04000000u

void *memcpy(void *d, const void *s, unsigned n);
void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n) {
	u8 *dp = d;
	const u8 *sp = s;
	while (n--) *dp++ = *sp++;
	return d;
}
void *memset(void *d, int c, unsigned n) {
	u8 *dp = d;
	while (n--) *dp++ = (u8)c;
	return d;
}

static void die(const char *msg) {
	unsigned n = 0;
	while (msg[n]) n++;
	sys6(SYS_write, 2, (long)msg, n, 0, 0, 0);
	sys6(252, 2, 0, 0, 0, 0, 0);
}

static void *map(u32 addr, u32 len, u32 prot, u32 fixed) {
	long r = sys6(SYS_mmap2, addr, len, prot, 0x22 | (fixed ? 0x10 : 0), -1, 0);
	if ((unsigned long)r > 0xfffff000ul) die("difftest harness: mmap failed\n");
	if (fixed && (u32)r != addr) die("difftest harness: mmap at a fixed address failed\n");
	return (void *)r;
}

static u32 rd32(const u8 *p) {
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((u32)p[3] << 24);
}
static void wr32(u8 *p, u32 v) {
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

/* Output buffer, flushed when nearly full. */
static u8 *out;
static u32 outLen;
#define OUT_SIZE (8u << 20)
static void flush(void) {
	u32 off = 0;
	while (off < outLen) {
		long w = sys6(SYS_write, 1, (long)(out + off), outLen - off, 0, 0, 0);
		if (w <= 0) die("difftest harness: write failed\n");
		off += (u32)w;
	}
	outLen = 0;
}
static void put32(u32 v) {
	if (outLen + 4 > OUT_SIZE) flush();
	wr32(out + outLen, v);
	outLen += 4;
}

/* The page fill shared with fill.ts: xorshift32, one in four dwords from the interesting table. */
static u32 nInteresting;
static u32 interesting[64];
static void fill(u8 *p, u32 seed) {
	u32 x = seed ? seed : 0x9e3779b9u;
	for (u32 i = 0; i < REGION; i += 4) {
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		u32 v;
		if ((x & 3) == 0) {
			v = interesting[(x >> 2) % nInteresting];
		} else {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			v = x;
		}
		wr32(p + i, v);
	}
}

/* What the signal handler saw. */
static volatile u32 res[14];
static u16 harnessDs, harnessEs, harnessFs, harnessGs;

static void on_signal(int sig, void *info, void *ctx) {
	(void)info;
	struct sigctx *m = &((struct ucontext32 *)ctx)->mc;
	res[0] = (u32)sig;
	res[1] = m->trapno;
	res[2] = m->err;
	res[3] = m->eip;
	res[4] = m->eflags;
	res[5] = m->cr2;
	res[6] = m->eax; res[7] = m->ecx; res[8] = m->edx; res[9] = m->ebx;
	res[10] = m->esp; res[11] = m->ebp; res[12] = m->esi; res[13] = m->edi;
	/* Resume the harness loop: back on its own stack, with its own data segments. */
	m->eip = (u32)resume_case;
	m->esp = saved_esp;
	m->eflags = 0x202;
	m->ds = harnessDs; m->es = harnessEs; m->fs = harnessFs; m->gs = harnessGs;
}

static void handle(int sig) {
	struct ksigaction sa;
	sa.handler = (void *)on_signal;
	sa.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER;
	sa.restorer = (void *)sig_restorer;
	sa.mask[0] = sa.mask[1] = 0;
	if (sys6(SYS_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0) != 0) die("difftest harness: rt_sigaction failed\n");
}

static u8 altStack[65536];
static u8 pristine[2][REGION];

int harness_main(void) {
	out = map(0, OUT_SIZE, 3, 0);
	u32 st[3] = { (u32)altStack, 0, sizeof altStack };
	if (sys6(SYS_sigaltstack, (long)st, 0, 0, 0, 0, 0) != 0) die("difftest harness: sigaltstack failed\n");
	handle(4); handle(5); handle(7); handle(8); handle(11);
	sys6(SYS_alarm, 600, 0, 0, 0, 0, 0);

	u8 *code = map(CODE, CODE_SIZE, 7, 1);
	u8 *data = map(DATA, REGION, 3, 1);
	u8 *stack = map(STACK, REGION, 3, 1);

	/* Read the whole batch. */
	u8 head[12];
	u32 got = 0;
	while (got < 12) {
		long r = sys6(SYS_read, 0, (long)(head + got), 12 - got, 0, 0, 0);
		if (r <= 0) die("difftest harness: short input\n");
		got += (u32)r;
	}
	if (rd32(head) != 0x31495444u) die("difftest harness: bad input magic\n");
	u32 total = rd32(head + 4), count = rd32(head + 8);
	u8 *in = map(0, (total + 0xfff) & ~0xfffu, 3, 0);
	memcpy(in, head, 12);
	while (got < total) {
		long r = sys6(SYS_read, 0, (long)(in + got), total - got, 0, 0, 0);
		if (r <= 0) die("difftest harness: short input\n");
		got += (u32)r;
	}
	u8 *p = in + 12;
	nInteresting = rd32(p); p += 4;
	if (nInteresting == 0 || nInteresting > 64) die("difftest harness: bad interesting table\n");
	for (u32 i = 0; i < nInteresting; i++, p += 4) interesting[i] = rd32(p);

	/* Header: this process's selectors, and what LAR/LSL say about each GDT entry. */
	u16 cs, ds, es, ss, fs, gs;
	__asm__ volatile("mov %%cs,%0; mov %%ds,%1; mov %%es,%2; mov %%ss,%3; mov %%fs,%4; mov %%gs,%5"
		: "=r"(cs), "=r"(ds), "=r"(es), "=r"(ss), "=r"(fs), "=r"(gs));
	harnessDs = ds; harnessEs = es; harnessFs = fs; harnessGs = gs;
	put32(0x314f5444u);
	put32(cs); put32(ds); put32(es); put32(ss); put32(fs); put32(gs);
	for (u32 i = 0; i < 16; i++) {
		u32 sel = i * 8 + 3, lar = 0, lsl = 0;
		u8 larOk, lslOk;
		__asm__ volatile("xorl %0,%0; lar %2,%0; setz %1" : "=&r"(lar), "=q"(larOk) : "r"(sel) : "cc");
		__asm__ volatile("xorl %0,%0; lsl %2,%0; setz %1" : "=&r"(lsl), "=q"(lslOk) : "r"(sel) : "cc");
		put32(lar); put32(larOk); put32(lsl); put32(lslOk);
	}

	u32 state[10];
	for (u32 k = 0; k < count; k++) {
		u32 codeLen = p[0] | (p[1] << 8), nPatch = p[2] | (p[3] << 8);
		p += 4;
		u32 regs[8];
		for (u32 i = 0; i < 8; i++, p += 4) regs[i] = rd32(p);
		u32 eflags = rd32(p), dataSeed = rd32(p + 4), stackSeed = rd32(p + 8), codeOff = rd32(p + 12);
		p += 16;
		if (codeOff > CODE_SIZE || codeLen > CODE_SIZE - codeOff) die("difftest harness: code too long\n");
		memset(code, 0xcc, CODE_SIZE);
		memcpy(code + codeOff, p, codeLen);
		code_entry = CODE + codeOff;
		p += codeLen;
		fill(data, dataSeed);
		fill(stack, stackSeed);
		for (u32 i = 0; i < nPatch; i++, p += 8) {
			u32 a = rd32(p), v = rd32(p + 4);
			u8 *dst = a >= DATA && a + 4 <= DATA + REGION ? data + (a - DATA)
				: a >= STACK && a + 4 <= STACK + REGION ? stack + (a - STACK) : 0;
			if (!dst) die("difftest harness: patch outside data and stack\n");
			wr32(dst, v);
		}
		memcpy(pristine[0], data, REGION);
		memcpy(pristine[1], stack, REGION);
		/* POPF order: eflags, then POPA's edi esi ebp (esp) ebx edx ecx eax; then ESP. */
		state[0] = eflags;
		state[1] = regs[7]; state[2] = regs[6]; state[3] = regs[5]; state[4] = 0;
		state[5] = regs[3]; state[6] = regs[2]; state[7] = regs[1]; state[8] = regs[0];
		state[9] = regs[4];
		res[0] = 0;
		run_case(state);
		for (u32 i = 0; i < 14; i++) put32(res[i]);
		u32 n = 0;
		for (u32 r = 0; r < 2; r++) {
			const u8 *now = r ? stack : data;
			for (u32 i = 0; i < REGION; i++) if (now[i] != pristine[r][i]) n++;
		}
		put32(n);
		for (u32 r = 0; r < 2; r++) {
			const u8 *now = r ? stack : data;
			u32 base = r ? STACK : DATA;
			for (u32 i = 0; i < REGION; i++) {
				if (now[i] != pristine[r][i]) put32(((base + i - CHANGE_BASE) << 8) | now[i]);
			}
		}
	}
	flush();
	return 0;
}
