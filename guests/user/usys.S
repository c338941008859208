/*
 * System-call stubs: number in EAX, arguments in EBX, ECX, EDX, then
 * int $0x80, which the hypervisor bounces straight to the kernel (T:600).
 */
#include "syscall.h"

.macro syscall name, nr
	.globl \name
\name:
	pushl %ebx
	movl $\nr, %eax
	movl 8(%esp), %ebx
	movl 12(%esp), %ecx
	movl 16(%esp), %edx
	int $0x80
	popl %ebx
	ret
.endm

	.text
	syscall fork, SYS_fork
	syscall exit, SYS_exit
	syscall wait, SYS_wait
	syscall exec, SYS_exec
	syscall getpid, SYS_getpid
	syscall read, SYS_read
	syscall write, SYS_write
	syscall kill, SYS_kill
	syscall sleep, SYS_sleep
	syscall uptime, SYS_uptime
	syscall date, SYS_date
	syscall show, SYS_show
	syscall kstat, SYS_kstat
	syscall lazy, SYS_lazy
	syscall shutdown, SYS_shutdown
	syscall settls, SYS_settls
	syscall xsread, SYS_xsread
	syscall xswrite, SYS_xswrite
	syscall xsls, SYS_xsls
	syscall xsrm, SYS_xsrm
	syscall xswatch, SYS_xswatch
	syscall xswait, SYS_xswait
	syscall xsunwatch, SYS_xsunwatch
	syscall share, SYS_share
	syscall unshare, SYS_unshare
	syscall map, SYS_map
	syscall unmap, SYS_unmap
	syscall pinglink, SYS_pinglink
	syscall ping, SYS_ping

	.section .note.GNU-stack, "", @progbits
