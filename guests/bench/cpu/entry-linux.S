/*
 * Entry of the native (Linux, i386 static) build: hand argc/argv to
 * native_main() and exit with what it returns, through int $0x80.
 */
	.text
	.globl _start
_start:
	movl	(%esp), %ecx		/* argc */
	leal	4(%esp), %edx		/* argv */
	pushl	%edx
	pushl	%ecx
	call	native_main
	movl	%eax, %ebx		/* exit status */
	movl	$1, %eax		/* __NR_exit */
	int	$0x80

	.section .note.GNU-stack, "", @progbits
