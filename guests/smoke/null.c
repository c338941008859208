/*
 * The smallest guest: it does nothing, forever. It exists so that `make -C guests`
 * has something to build, proving the 32-bit toolchain works. It makes no
 * hypercalls and so cannot boot under the hypervisor; real guests come later.
 */

void _start(void) __attribute__((noreturn));

void _start(void)
{
	for (;;)
		__asm__ volatile("hlt");
}
