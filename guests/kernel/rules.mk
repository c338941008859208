# pvos, the teaching guest (kernel/ and user/), included by guests/Makefile, so
# paths are relative to guests/ and the compiler check and flags are shared:
#   build/user/NAME.elf, NAME.bin   each user program, linked at USERBASE, and
#                                   as the flat binary the kernel embeds
#   build/kernel/pvos.elf           the kernel, with every user program inside
#
# -mgeneral-regs-only: the virtual CPU has no FPU, MMX or SSE, so gcc must
# never use them, not even to copy a structure.

PVOS_PROGS := init sh usertests echo true
PVOS_ULIB := user/start.S user/usys.S user/ulib.c
PVOS_KSRCS := kernel/entry.S kernel/trapasm.S kernel/main.c kernel/console.c kernel/hvc.c \
	kernel/evtchn.c kernel/trap.c kernel/time.c kernel/kalloc.c kernel/mmu.c kernel/vm.c \
	kernel/gdt.c kernel/proc.c kernel/exec.c kernel/syscall.c kernel/string.c kernel/programs.S \
	kernel/xenbus.c kernel/control.c kernel/grant.c kernel/peer.c kernel/sysxen.c

PVOS_KOBJS := $(addprefix $(BUILD)/,$(addsuffix .o,$(basename $(PVOS_KSRCS))))
PVOS_UOBJS := $(addprefix $(BUILD)/,$(addsuffix .o,$(basename $(PVOS_ULIB))))
PVOS_BINS := $(addprefix $(BUILD)/user/,$(addsuffix .bin,$(PVOS_PROGS)))
PVOS_ELF := $(BUILD)/kernel/pvos.elf

PVOS_CFLAGS := -mgeneral-regs-only -fno-tree-loop-distribute-patterns -fno-builtin -Werror -Ikernel
$(BUILD)/kernel/%.o: CFLAGS += $(PVOS_CFLAGS)
$(BUILD)/kernel/%.o: ASFLAGS += -Ikernel -Werror
$(BUILD)/user/%.o: CFLAGS += $(PVOS_CFLAGS) -Iuser
$(BUILD)/user/%.o: ASFLAGS += -Ikernel -Iuser -Werror

# programs.S includes the flat binaries with .incbin.
$(BUILD)/kernel/programs.o: ASFLAGS += -Wa,-I$(BUILD)/user
$(BUILD)/kernel/programs.o: $(PVOS_BINS)

$(BUILD)/user/%.elf: $(BUILD)/user/%.o $(PVOS_UOBJS) user/user.ld
	$(LD) -m elf_i386 -nostdlib -static --no-warn-rwx-segments -T user/user.ld -o $@ $(PVOS_UOBJS) $< $(PVOS_EXTRA)

# Two programs have a second file: sh its commands for xenstore, grants and
# ping; usertests its tests of them.
$(BUILD)/user/sh.elf: $(BUILD)/user/xencmds.o
$(BUILD)/user/sh.elf: PVOS_EXTRA := $(BUILD)/user/xencmds.o
$(BUILD)/user/usertests.elf: $(BUILD)/user/xentests.o
$(BUILD)/user/usertests.elf: PVOS_EXTRA := $(BUILD)/user/xentests.o

$(BUILD)/user/%.bin: $(BUILD)/user/%.elf
	objcopy -O binary $< $@

$(PVOS_ELF): $(PVOS_KOBJS) kernel/kernel.ld
	$(LD) -m elf_i386 -nostdlib -static -T kernel/kernel.ld -o $@ $(PVOS_KOBJS)

.PHONY: pvos
pvos: $(PVOS_ELF)
all: $(PVOS_ELF)

-include $(PVOS_KOBJS:.o=.d) $(PVOS_UOBJS:.o=.d) $(PVOS_PROGS:%=$(BUILD)/user/%.d) $(BUILD)/user/xencmds.d $(BUILD)/user/xentests.d
