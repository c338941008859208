/*
 * Boot: from start_info to the first process. Each step makes the next one
 * possible, and the order is the lesson: a console to report on, events
 * and traps before anything can go wrong, then memory, then the ring
 * console, time, xenstore and grants, and processes.
 */
#include "defs.h"

struct start_info *si;
extern char _end[];

/* Called by _start (entry.S) with ESI, the address of start_info. */
void main(struct start_info *start)
{
	si = start;
	klog("booting: start_info found, events masked");
	if (si->magic[0] != 'x')
		panic("no start_info");

	/* Memory the builder mapped: image, then its own pages, then free space. */
	uint32_t mapped_end = vm_init();
	uint32_t first_free = V2P(PGROUNDUP((uint32_t)si->pt_base + (si->nr_pt_frames + 1) * PGSIZE));
	if (first_free < V2P(PGROUNDUP((uint32_t)_end)))
		panic("start_info before the image end");
	kinit(first_free, mapped_end < si->nr_pages ? mapped_end : si->nr_pages);

	evtchn_init();
	trap_init();
	klog("trap table and event upcall registered");
	kvm_init(mapped_end);
	gdt_init();
	hvc_init();
	timer_init();
	xenbus_init();
	grant_init();
	proc_init();
	irq_enable();

	printf("\npvos: a teaching kernel on the Xen PV ABI (pv32pae, ring 1)\n");
	printf("pvos: %u MiB, %u frames free, console on event channel %d\n", nr_pages >> 8, kfree_count(),
	       si->console_evtchn);
	klog("hvc0 up; starting init");
	userinit();
	control_init();
	idle();
}
