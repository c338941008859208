/*
 * The user programs built into the kernel image (rules.mk builds each
 * user/NAME.c into a flat binary NAME.bin first). exec() finds them by name
 * in the table `programs`: name, start, end; a zero entry ends it.
 */
.macro program name
	.section .rodata.progdata, "a"
	.balign 16
\name\()_start:
	.incbin "\name\().bin"
\name\()_end:
	.section .rodata.progname, "a"
\name\()_name:
	.asciz "\name"
	.section .rodata.progtab, "a"
	.long \name\()_name, \name\()_start, \name\()_end
.endm

	.section .rodata.progtab, "a"
	.balign 4
	.globl programs
programs:
	program init
	program sh
	program usertests
	program echo
	program true
	.section .rodata.progtab, "a"
	.long 0, 0, 0

	.section .note.GNU-stack, "", @progbits
