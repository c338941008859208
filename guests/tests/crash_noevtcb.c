/*
 * crash_noevtcb: an event upcall with no event callback registered crashes the
 * domain (ABI map 6.11, 6.15): we bind an IPI, make it pending, and unmask
 * events without ever calling set_callbacks. The host test asserts the crash
 * and its reason.
 *
 * Expected lines:
 *   OK an IPI is pending with events masked
 * then the domain crashes (no event callback); it must not print "survived".
 */
#include "test.h"

void test_main(void)
{
	unsigned port;

	install_trap_catcher();
	map_shared_info();
	evtchn_bind_ipi(0, &port);
	evtchn_send(port);
	check(vcpu0->evtchn_upcall_pending && vcpu0->evtchn_upcall_mask, "an IPI is pending with events masked");
	vcpu0->evtchn_upcall_mask = 0;
	HYPERVISOR_xen_version(XENVER_version, 0);	/* the exit from Xen delivers the upcall */
	printf("FAILED survived an upcall with no callback\n");
	done();
}
