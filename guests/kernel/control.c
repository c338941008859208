/*
 * Control: the xenwatch thread, which runs the kernel's xenstore watches in
 * process context (a watch function may itself talk to xenstore, which
 * means sleeping for replies: not something an event handler may do), and
 * the one watch pvos keeps, on ~/control/shutdown, through which the
 * toolstack asks a domain to power off or reboot (`xl shutdown`, `xl reboot`).
 */
#include "defs.h"

/* Leave cleanly, then end the domain with reason SHUTDOWN_*. Does not return. */
void domain_shutdown(int reason)
{
	struct sched_shutdown r = { .reason = reason };

	peer_cleanup();
	klog(reason == SHUTDOWN_reboot ? "reboot requested" : "poweroff requested");
	/*T:610 Shutting the domain down.
	 * SCHEDOP_shutdown with a reason ends the domain: every vcpu stops and
	 * the toolstack is told why (poweroff, reboot, crash...) and acts on it
	 * (destroy, restart, or keep it for inspection). It does not return. A
	 * guest under Xen is expected to do this itself when asked through
	 * xenstore's control/shutdown (T:750); the shell's poweroff and reboot
	 * ask directly. :*/
	for (;;)
		hv_sched_op(SCHEDOP_shutdown, &r);
}

/* The watch on control/shutdown fired: act on what the toolstack wrote there. */
static void shutdown_changed(const char *path)
{
	char what[16];
	int reason;

	/*T:760 Obeying control/shutdown.
	 * The event only says the node changed; we read it. Empty means
	 * nothing is asked (the watch's first event, or our own acknowledgement
	 * below firing the watch again). Otherwise we acknowledge by writing ""
	 * back, as Linux does: that tells the toolstack the request reached a
	 * kernel that understood it, and keeps the next event from repeating
	 * the request. Then we do what it asked with SCHEDOP_shutdown; the
	 * toolstack sees the domain shut down with that reason and stops the
	 * timer after which it would have destroyed an unresponsive guest. :*/
	if (xs_read("control/shutdown", what, sizeof(what)) <= 0)
		return;
	xs_write("control/shutdown", "");
	if (!strcmp(what, "poweroff") || !strcmp(what, "halt"))
		reason = SHUTDOWN_poweroff;
	else if (!strcmp(what, "reboot"))
		reason = SHUTDOWN_reboot;
	else {
		printf("\npvos: control/shutdown = \"%s\" is not supported here; ignored\n", what);
		return;
	}
	printf("\npvos: control/shutdown = \"%s\" (watch %s): acknowledged, SCHEDOP_shutdown(%s)\n", what, path,
	       reason == SHUTDOWN_reboot ? "reboot" : "poweroff");
	domain_shutdown(reason);
}

/* The xenwatch thread's body: set up the kernel's watches, then run their events. */
static void xenwatch(void)
{
	/*T:750 Listening for the toolstack.
	 * The toolstack created ~/control/shutdown for us, writable by us, and
	 * writes "poweroff" or "reboot" there when asked to stop this domain.
	 * A PV kernel is expected to watch it (T:730) and act; one that does
	 * not is destroyed when the toolstack's patience (30 s) runs out. We
	 * use a relative path: xenstored resolves it under our home,
	 * /local/domain/<our id>, and names the node the same way in events. :*/
	if (xs_watch("control/shutdown", shutdown_changed) < 0)
		printf("pvos: cannot watch control/shutdown; xl shutdown will not reach us\n");
	/* Tell the toolstack which requests we act on, as Linux does. */
	xs_write("control/feature-poweroff", "1");
	xs_write("control/feature-reboot", "1");
	xs_run_kernel_watches();
}

/* Start the xenwatch thread. */
void control_init(void)
{
	kthread("xenwatch", xenwatch);
}
