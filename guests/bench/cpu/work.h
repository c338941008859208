/*
 * The CPU benchmark workload: integer code shaped like a kernel's hot paths.
 * One translation unit (work.c) is linked twice, unchanged: into a flat image
 * that the emulator runs (entry-flat.S) and into a static Linux executable
 * that the host CPU runs (native.c, entry-linux.S), so both execute the very
 * same machine code and must return the same checksum.
 */
#ifndef BENCH_WORK_H
#define BENCH_WORK_H

/* Run `iterations` rounds of every kernel; return a checksum of all results.
 * Deterministic: the same count gives the same checksum, on any x86. Every
 * round re-initialises the state it uses, so repeated calls agree too. */
unsigned int work(unsigned int iterations);

#endif
