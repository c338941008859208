# The CPU benchmark workload (bench/cpu.bench.ts), included by guests/Makefile,
# so paths are relative to guests/ and the compiler check and flags are shared.
# work.c is compiled once and linked twice:
#   build/bench/cpu/work.elf, work.bin   flat image at 1 MiB for the emulator
#   build/bench/cpu/work-native          static i386 Linux executable, same work.o
#
# -fno-tree-loop-distribute-patterns: otherwise gcc may turn memset's own loop
# into a call to memset.

CPU_BENCH := $(BUILD)/bench/cpu
OBJCOPY ?= objcopy

.PHONY: bench-cpu
all: bench-cpu
bench-cpu: $(CPU_BENCH)/work.bin $(CPU_BENCH)/work.elf $(CPU_BENCH)/work-native

$(CPU_BENCH)/%.o: CFLAGS += -fno-tree-loop-distribute-patterns

$(CPU_BENCH)/work.elf: bench/cpu/flat.ld $(CPU_BENCH)/entry-flat.o $(CPU_BENCH)/work.o
	$(LD) -m elf_i386 -nostdlib -static -T bench/cpu/flat.ld -o $@ $(filter %.o,$^)

$(CPU_BENCH)/work.bin: $(CPU_BENCH)/work.elf
	$(OBJCOPY) -O binary $< $@

$(CPU_BENCH)/work-native: $(CPU_BENCH)/entry-linux.o $(CPU_BENCH)/native.o $(CPU_BENCH)/work.o
	$(LD) $(LDFLAGS) -o $@ $^

-include $(wildcard $(CPU_BENCH)/*.d)
