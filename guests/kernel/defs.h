/* Functions and data shared between the kernel's files, grouped by file. */
#ifndef PVOS_DEFS_H
#define PVOS_DEFS_H

#include <stdarg.h>
#include <stdint.h>
#include "memlayout.h"
#include "xen.h"
#include "hypercall.h"
#include "x86.h"
#include "proc.h"
#include "syscall.h"

/* What a frame is used for (kalloc.c, frame_use[]). */
enum { FR_FREE, FR_KERNEL, FR_PT, FR_USER, FR_GDT, FR_GRANT, FR_NUSE };

/* The hypervisor's machine-to-physical table: M2P[mfn] is the pfn. */
#define M2P ((const uint32_t *)MACH2PHYS_VIRT_START)

/* main.c */
extern struct start_info *si;

/* console.c */
void console_write(const char *s, int n);
void console_intr(int c);
int console_read(char *dst, int n);
int console_line_ready(void);
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintf(const char *fmt, va_list ap);
void klog(const char *s);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* hvc.c */
extern int hvc_ready;
void earlycon_write(const char *s, int n);
void hvc_init(void);
void hvc_write(const char *s, int n);

/* evtchn.c */
extern struct shared_info *shinfo;
extern struct vcpu_info *vcpu;
void evtchn_init(void);
void evtchn_bind(int port, void (*fn)(int), const char *name);
int evtchn_bind_virq(int virq, void (*fn)(int), const char *name);
void evtchn_notify(int port);
int evtchn_alloc_unbound(int remote, void (*fn)(int), const char *name);
int evtchn_bind_interdomain(int remote, int rport, void (*fn)(int), const char *name);
int evtchn_status(int port, int *remote);
void evtchn_close(int port);
void evtchn_clear(int port);
void evtchn_upcall(void);
void evtchn_dump(void);
void irq_disable(void);
void irq_enable(void);
int irq_save(void);
void irq_restore(int was);
int irq_masked(void);

/* time.c */
uint64_t udiv64(uint64_t n, uint32_t d, uint32_t *rem);
uint64_t now_ns(void);
uint32_t time_version(void);
uint32_t unix_time(void);
void timer_init(void);
void timer_rearm(void);

/* kalloc.c */
extern uint32_t *p2m;
extern uint32_t nr_pages;
extern uint8_t frame_use[];
void kinit(uint32_t first_free, uint32_t mapped_end);
void kvm_init(uint32_t mapped_end);
uint32_t kalloc(int use);
uint32_t kzalloc(int use);
void kfree(uint32_t pfn);
uint32_t kfree_count(void);
void mem_dump(void);

/* mmu.c */
extern int lazy_mmu;
void lazy_enter(void);
void lazy_leave(void);
int lazy_depth(void);
void mmu_flush(void);
void mmu_set(uint64_t maddr, uint64_t val);
void mmu_set_va(uint32_t va, uint64_t pte);
void mmu_ext(uint32_t cmd, uint32_t arg1);
void mmu_stack_switch(uint32_t esp);
void mmu_descriptor(uint64_t maddr, uint64_t desc);
uint32_t hcall_total(void);
void hcall_dump(void);

/* vm.c */
uint32_t vm_init(void);
uint64_t kernel_l2e_maddr(uint32_t va);
void vm_create(struct pgdir *pd);
void vm_map(struct pgdir *pd, uint32_t va, uint32_t pfn);
uint64_t vm_lookup(struct pgdir *pd, uint32_t va);
void vm_copy(struct pgdir *dst, struct pgdir *src);
void vm_switch(struct pgdir *pd);
void vm_free(struct pgdir *pd);
int vm_user_ok(struct pgdir *pd, uint32_t va, uint32_t n, int write);
int vm_pages(struct pgdir *pd);
void vm_dump(struct pgdir *pd);

/* gdt.c */
void gdt_init(void);
void gdt_set_tls(uint32_t base);

/* trap.c */
extern int need_resched;
void trap_init(void);
void trap(struct trapframe *tf);

/* proc.c */
void proc_init(void);
void userinit(void);
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);
int kill(int pid);
void sleep(void *chan);
void wakeup(void *chan);
void yield(void);
void sched(void);
void finish_switch(void);
void idle(void) __attribute__((noreturn));
void proc_tick(uint64_t now);
uint64_t proc_deadline(uint64_t now, uint64_t slice);
int sleep_ms(uint32_t ms);
void proc_dump(void);
void kthread(const char *name, void (*fn)(void));
void wakeup_waiters(void);
int wait_for(int (*done)(void *), void *arg, uint32_t ms);
void proc_pt_dump(void);

/* exec.c */
int kexec(const char *path, int argc, char **argv);
void exec_list(void);

/* syscall.c */
void syscall(struct trapframe *tf);
int user_ok(uint32_t va, uint32_t n, int write);
int fetchstr(uint32_t va, char *buf, int max);

/* sysxen.c */
int sysxen(struct trapframe *tf);

/* xenbus.c */
extern unsigned xs_requests, xs_events, xs_dropped, kwatch_runs;
void xenbus_init(void);
int xs_read(const char *path, char *buf, int n);
int xs_write(const char *path, const char *val);
int xs_write_n(const char *path, const char *val, int len);
int xs_rm(const char *path);
int xs_directory(const char *path, char *buf, int n);
int xs_set_perms(const char *path, const char *perms, int n);
int xs_share_node(const char *path, int dom);
int xs_domid(void);
int xs_watch(const char *path, void (*fn)(const char *path));
int xs_unwatch(int id);
int xs_event_pending(int id);
int xs_next_event(int id, char *path, int n);
int xs_watch_mine(int id);
void xs_run_kernel_watches(void) __attribute__((noreturn));
void xs_exit(int pid);
int xs_port(void);

/* control.c */
void control_init(void);
void domain_shutdown(int reason) __attribute__((noreturn));

/* grant.c */
void grant_init(void);
int grant_access(int dom, uint32_t mfn, int ro);
int grant_end(int ref);
int grant_flags(int ref);
int grant_map(int dom, int ref, int *status);
char *grant_window(int slot);
int grant_find_map(int dom);
void grant_map_info(int slot, int *ref, int *handle);
int grant_unmap(int slot);
int grant_unmap_all(void);
void grant_dump(void);

/* peer.c */
void page_text(const volatile char *page, char *out);
int peer_shared_text(int ref, char *out);
int peer_share(int dom, const char *text, struct grantinfo *gi);
int peer_unshare(int dom);
int peer_map(int dom, const char *text, struct grantinfo *gi);
int peer_unmap(int dom, struct grantinfo *gi);
int peer_link(int dom, int wait, struct pinginfo *pi);
int peer_ping(int dom);
void peer_cleanup(void);

/* string.c */
void *memset(void *d, int c, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n);
int strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strcpy(char *d, const char *s);
char *strncpy(char *d, const char *s, int n);
char *strcat(char *d, const char *s);
int atoi(const char *s);
int utoa(uint32_t v, char *buf);

#endif
