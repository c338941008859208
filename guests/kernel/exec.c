/*
 * exec: replace the current process's memory with a program built into the
 * kernel image (programs.S). A program is a flat binary linked at USERBASE:
 * text, data and bss in one piece, entry at its first byte.
 */
#include "defs.h"

struct program {
	const char *name;
	const char *start, *end;
};
extern const struct program programs[];

#define MAXARGS 8
#define ARGBYTES 512

/* The built-in program called name, or 0. */
static const struct program *find(const char *name)
{
	for (const struct program *p = programs; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return 0;
}

/* Run program path with argc kernel-space strings argv. Returns -1 if there is no such program. */
int kexec(const char *path, int argc, char **argv)
{
	const struct program *prog = find(path);
	struct pgdir pd, old;

	if (!prog || argc > MAXARGS)
		return -1;
	uint32_t size = prog->end - prog->start;
	if (size > USERTOP - USERBASE - (USTACKPAGES + 1) * PGSIZE)
		return -1;

	/* A new address space: the program's pages, then the stack. */
	vm_create(&pd);
	lazy_enter();
	for (uint32_t off = 0; off < size; off += PGSIZE) {
		uint32_t pfn = kzalloc(FR_USER);
		memcpy(P2V(pfn), prog->start + off, size - off < PGSIZE ? size - off : PGSIZE);
		vm_map(&pd, USERBASE + off, pfn);
	}
	uint32_t toppfn = 0;
	for (int i = 0; i < USTACKPAGES; i++) {
		uint32_t pfn = kzalloc(FR_USER);
		vm_map(&pd, USERTOP - (i + 1) * PGSIZE, pfn);
		if (i == 0)
			toppfn = pfn;
	}
	lazy_leave();

	/* argv in the top stack page, written through the direct map: strings, the array, argc. */
	char *top = (char *)P2V(toppfn) + PGSIZE;
	uint32_t uva = USERTOP, ptrs[MAXARGS + 1];
	for (int i = argc - 1; i >= 0; i--) {
		uint32_t n = strlen(argv[i]) + 1;
		if (USERTOP - uva + n > ARGBYTES) {
			vm_free(&pd);
			return -1;
		}
		uva -= n;
		top -= n;
		memcpy(top, argv[i], n);
		ptrs[i] = uva;
	}
	ptrs[argc] = 0;
	uva &= ~3u;
	top = (char *)P2V(toppfn) + (uva - (USERTOP - PGSIZE));
	uva -= (argc + 1) * 4;
	top -= (argc + 1) * 4;
	memcpy(top, ptrs, (argc + 1) * 4);
	uint32_t argvp = uva;
	uva -= 8;
	top -= 8;
	((uint32_t *)top)[0] = argc;
	((uint32_t *)top)[1] = argvp;

	/* Commit: switch to the new tables, then drop the old ones. */
	old = cur->pd;
	cur->pd = pd;
	vm_switch(&cur->pd);
	vm_free(&old);

	struct trapframe *tf = cur->tf;
	memset(tf, 0, sizeof(*tf));
	tf->cs = UCODE_SEL;
	tf->ds = tf->es = tf->fs = tf->ss = UDATA_SEL;
	tf->gs = TLS_SEL;
	tf->eflags = 0x202;	/* IF: events unmasked in ring 3 */
	tf->eip = USERBASE;
	tf->esp = uva;
	strncpy(cur->name, path, sizeof(cur->name) - 1);
	return 0;
}

/* The shell's list of programs (for help). */
void exec_list(void)
{
	for (const struct program *p = programs; p->name; p++)
		printf(" %s", p->name);
}
