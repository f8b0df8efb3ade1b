// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tiny.c - the binary the exec storm runs: it exits 0 and does nothing else.
 *
 * The storm measures the cost a monitor adds to fork+exec, so the exec'd
 * image should cost as little as possible by itself: with TINY_NOSTDLIB it
 * is a static binary with no libc at all (no dynamic loader, no libc init),
 * which makes the per-exec work almost entirely the kernel's exec path,
 * where the monitors hook in. Without it (other architectures) it falls
 * back to an ordinary static main().
 */

#ifdef TINY_NOSTDLIB

#if defined(__x86_64__)
__asm__(".globl _start\n"
	"_start:\n"
	"	movl $60, %eax\n" /* __NR_exit */
	"	xorl %edi, %edi\n"
	"	syscall\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n"
	"_start:\n"
	"	mov x8, #93\n" /* __NR_exit */
	"	mov x0, #0\n"
	"	svc #0\n");
#else
#error "TINY_NOSTDLIB needs an exit stub for this architecture; build without it"
#endif

#else

int main(void)
{
	return 0;
}

#endif
