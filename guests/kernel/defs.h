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

/* What a frame is used for (kalloc.c, frame_use[]). */
enum { FR_FREE, FR_KERNEL, FR_PT, FR_USER, FR_GDT, FR_NUSE };

/* The hypervisor's machine-to-physical table: M2P[mfn] is the pfn. */
#define M2P ((const uint32_t *)MACH2PHYS_VIRT_START)

/* main.c */
extern struct start_info *si;

/* console.c */
void console_write(const char *s, int n);
void console_intr(int c);
int console_read(char *dst, int n);
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
void proc_pt_dump(void);

/* exec.c */
int kexec(const char *path, int argc, char **argv);
void exec_list(void);

/* syscall.c */
void syscall(struct trapframe *tf);

/* string.c */
void *memset(void *d, int c, uint32_t n);
void *memcpy(void *d, const void *s, uint32_t n);
int strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strcpy(char *d, const char *s);
char *strncpy(char *d, const char *s, int n);
char *strcat(char *d, const char *s);

#endif
