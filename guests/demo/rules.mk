# The demo guest (demo/), included by guests/Makefile, so paths are relative to
# guests/ and the compiler check and flags are shared. It is self-contained (its own
# entry, link map and hypercall wrappers) so that the image the app ships does not
# change when the test runtime in tests/lib/ does:
#   build/demo/console.elf   the PV guest the playground boots (public/guests/)
#
# The shipped copy public/guests/console.elf must equal a fresh build; the test
# src/machine/demoGuest.test.ts checks it. After changing the source:
#   make -C guests demo && cp guests/build/demo/console.elf public/guests/

DEMO_SRCS := demo/entry.S demo/console.c
DEMO_OBJS := $(addprefix $(BUILD)/,$(addsuffix .o,$(basename $(DEMO_SRCS))))
DEMO_ELF := $(BUILD)/demo/console.elf

$(BUILD)/demo/%.o: CFLAGS += -fno-tree-loop-distribute-patterns -Werror
$(BUILD)/demo/%.o: ASFLAGS += -Werror

$(DEMO_ELF): $(DEMO_OBJS) demo/demo.ld
	$(LD) -m elf_i386 -nostdlib -static -T demo/demo.ld -o $@ $(filter %.o,$^)

.PHONY: demo
demo: $(DEMO_ELF)
all: $(DEMO_ELF)

-include $(DEMO_OBJS:.o=.d)
