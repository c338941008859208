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

#endif
