/*
 * What a test kernel links with (tests/lib/): the entry point calls test_main();
 * the test reports each check on the console and ends with done().
 *
 * Output, one line each, read by the host-side boot test:
 *   OK name
 *   FAILED name: detail
 *   FAILED unexpected trap <vector> at <eip> err <err>     (then the domain crashes)
 *   pvplay-test: N passed, M failed                        (then the domain powers off)
 */
#ifndef TESTS_LIB_TEST_H
#define TESTS_LIB_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/abi.h>
#include "hypercall.h"
#include "pv.h"

/* Set by entry.S: the VA of start_info the builder passed in ESI, and the initial ESP. */
extern struct start_info *start_info;
extern unsigned long boot_esp;
/* Linker symbols: the first VA of the image and the end of .bss. */
extern char VIRT_BASE[], _end[];

/* The test itself; returning from it is the same as calling done(). */
void test_main(void);

/* console.c: printf with %s %d %u %x %p %c (and %%), an optional width and '0' flag. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_write(const char *s, int len);

/* test.c: report one check. check() uses the condition's text as the detail. */
void check_detail(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define check(cond, name) check_detail(!!(cond), (name), "%s", #cond)
/* Compare two unsigned values, printing both when they differ. */
#define check_eq(got, want, name) do {						\
	unsigned long __g = (unsigned long)(got), __w = (unsigned long)(want);	\
	check_detail(__g == __w, (name), "got 0x%x, expected 0x%x", (unsigned)__g, (unsigned)__w); \
} while (0)

/* Print the summary line and power the domain off. */
void done(void) __attribute__((noreturn));
/* Shut the domain down with a SHUTDOWN_* reason. */
void shutdown(unsigned int reason) __attribute__((noreturn));

/* Point every exception vector (0-31) at a handler that reports it as a failure and crashes. */
void install_trap_catcher(void);

/* string.c: what gcc may call even in freestanding code. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/*
 * trap.c: expected traps. TRAP_INSN("insn") runs one instruction that may trap;
 * the handler records the trap (vector, error code, EIP, the CS word with the saved
 * upcall mask, EFLAGS, ESP/SS from ring 3, CR2 from vcpu_info) and resumes after
 * the instruction, in ring 1 or ring 3 alike. A trap at any other place is
 * unexpected: reported as FAILED, then the domain crashes.
 */
#define TRAP_INSN(insn) "1: " insn "\n2:\n"				\
	".pushsection .fixup, \"a\"\n.long 1b, 2b\n.popsection\n"
#define TRAP_NONE 0xffffffffu

struct trap_frame {
	uint32_t edi, esi, ebp, esp_k, ebx, edx, ecx, eax;	/* PUSHAL */
	uint32_t vector, err, eip, cs, eflags;
	uint32_t esp, ss;					/* only from ring 3 */
};
struct trap_record {
	uint32_t vector, err, eip, cs, eflags, esp, ss, cr2, eax;
};
/* The last trap recorded (vector TRAP_NONE if none since trap_clear()). */
extern struct trap_record last_trap;
extern unsigned trap_count;
void trap_clear(void);
/* Install trap-table entry `vector` (0-31, 32, 128, 129, 131) with a DPL and flags. */
long trap_set(unsigned vector, unsigned flags);
/* A handler that takes a vector first; it returns 1 if it handled the trap. */
typedef int (*trap_fn)(struct trap_frame *f);
void trap_hook(unsigned vector, trap_fn fn);

/* mm.c: frames, mappings, page tables (built with mmu_update and pinned). */
extern uint32_t *p2m;
#define M2P ((const uint32_t *)MACH2PHYS_VIRT_START)
unsigned long va_to_pfn(const void *va);
void *pfn_to_va(unsigned long pfn);
uint32_t va_to_mfn(const void *va);
void *mfn_to_va(uint32_t mfn);
/* The current L3 (pt_base unless a test switched base pointers). */
extern uint64_t *cur_l3;
/* The L1 entry for va (read-only view) and its machine address, or 0 if no L1. */
uint64_t *l1e_of(unsigned long va);
uint64_t l1e_maddr(unsigned long va);
uint64_t l2e_maddr(unsigned long va);
uint64_t *l2e_of(unsigned long va);
/* A page of the domain's mapped free memory, zeroed, mapped RW at the VA returned. */
void *alloc_page(void);
/* Remap one page read-only or read-write (update_va_mapping + INVLPG). */
long set_page_rw(void *va, int rw);
/* Give ring 3 access (the User bit) to every page in [start, end). */
void set_user(const void *start, const void *end);
long mmu_update1(uint64_t ptr, uint64_t val);
long mmuext1(unsigned cmd, unsigned long arg1, unsigned long arg2);
static inline uint64_t make_pte(uint32_t mfn, unsigned flags) { return ((uint64_t)mfn << 12) | flags; }

/* events.c: shared_info, the upcall, event-channel helpers. */
extern struct shared_info *shared;
extern struct vcpu_info *vcpu0;
/* Map shared_info (start_info.shared_info) at a page of .bss; idempotent. */
void map_shared_info(void);
/* Map shared_info and register the event and failsafe callbacks with set_callbacks. */
void events_init(void);
extern volatile unsigned evtchn_hits[EVTCHN_2L_NR_CHANNELS];
extern volatile unsigned upcall_count;
extern struct trap_frame last_upcall;
typedef void (*evtchn_fn)(unsigned port);
void evtchn_handler(unsigned port, evtchn_fn fn);
long evtchn_alloc_unbound(unsigned remote, unsigned *port);
long evtchn_bind_virq(unsigned virq, unsigned vcpu, unsigned *port);
long evtchn_bind_ipi(unsigned vcpu, unsigned *port);
long evtchn_send(unsigned port);
long evtchn_close(unsigned port);
long evtchn_unmask(unsigned port);
void evtchn_mask(unsigned port);
/* Clear the upcall mask; a pending event is delivered at the next exit from Xen. */
void events_enable(void);
void events_disable(void);
/* Our domain id (from EVTCHNOP_status of an unbound port allocated for ourselves). */
unsigned self_domid(void);

/* time.c: system time from vcpu_time_info (3.5). */
uint64_t system_time(void);
uint64_t rdtsc(void);
/* Block (SCHEDOP_block) until cond() or no more than `tries` wake-ups. */
int block_until(int (*cond)(void), unsigned tries);

/* user.c: run fn in ring 3 on a user stack; its int $0x80 with EAX = USER_EXIT returns EBX. */
#define USER_EXIT 0x7e57e817u
int user_run(void (*fn)(void), void *user_stack_top);
/* Called for an int $0x80 that is not the exit (then the fixup table applies). */
extern trap_fn user_int80_hook;
void user_longjmp(int v) __attribute__((noreturn));

/*
 * Plain loads (MOV) from memory that may be mapped read-only. Without them gcc
 * may fold a load into CMP with a memory operand; keeping the access a MOV keeps
 * a test about the hypervisor independent of how the CPU treats CMP's operand
 * (traps.c checks that separately).
 */
static inline uint32_t rd8(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("movzbl (%1), %0" : "=r" (v) : "r" (p) : "memory");
	return v;
}
static inline uint32_t rd32(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r" (v) : "r" (p) : "memory");
	return v;
}

/* mm.c: called by entry.S before test_main (p2m, cur_l3, the free-page cursor). */
void mm_init(void);

/* 64-bit values in printf: high and low halves. */
#define HI(x) ((unsigned)((uint64_t)(x) >> 32))
#define LO(x) ((unsigned)(x))

#endif
