/*
 * crash_iret: HYPERVISOR_iret with a frame Xen cannot read crashes the domain
 * (ABI map 5.20, 6.15). ESP is set to the end of the builder's mapped area
 * (2.2): the stub's push of EAX lands in the last mapped word, and Xen's read of
 * EIP, CS and EFLAGS above it falls on an unmapped page. The host test asserts
 * the crash and its reason.
 *
 * Expected lines:
 *   OK about to HYPERVISOR_iret with an unreadable frame
 * then the domain crashes; it must not print "survived".
 */
#include "test.h"

void test_main(void)
{
	unsigned long end = ((boot_esp + 0x80000) & ~0x3fffffUL) + 0x400000;
	uint64_t *last = l1e_of(end - 4096), *past = l1e_of(end);

	install_trap_catcher();
	check(last && (*last & _PAGE_PRESENT) && (!past || !(*past & _PAGE_PRESENT)),
	      "about to HYPERVISOR_iret with an unreadable frame");
	__asm__ volatile("movl %0, %%esp\n\tjmp hypercall_page + %c1" :: "r" (end),
			 "i" (__HYPERVISOR_iret * HYPERCALL_STUB_BYTES) : "memory");
	printf("FAILED survived HYPERVISOR_iret with an unreadable frame\n");
	done();
}
