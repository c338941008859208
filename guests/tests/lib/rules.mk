# The PV test-kernel runtime (tests/lib/), included by guests/Makefile, so paths are
# relative to guests/ and the compiler check and flags are shared. Every one-file
# test kernel tests/NAME.c is linked with these objects by tests/lib/test.ld:
#   build/tests/NAME.elf   a Xen PV kernel with notes (readelf -n shows them)
#
# -fno-tree-loop-distribute-patterns: otherwise gcc may turn memset's own loop
# into a call to memset.

TEST_LIB_SRCS := $(wildcard tests/lib/*.c) $(wildcard tests/lib/*.S)
TEST_LIB_OBJS := $(addprefix $(BUILD)/,$(addsuffix .o,$(basename $(TEST_LIB_SRCS))))
TEST_KERNELS := $(filter $(BUILD)/tests/%,$(KERNELS))

# Test kernels and their runtime build without warnings (-Werror).
$(BUILD)/tests/%.o: CFLAGS += -Itests/lib -fno-tree-loop-distribute-patterns -Werror
$(BUILD)/tests/%.o: ASFLAGS += -Itests/lib -Werror

# A static pattern rule is explicit, so it replaces the one-file link rule for tests.
$(TEST_KERNELS): $(BUILD)/tests/%.elf: $(BUILD)/tests/%.o $(TEST_LIB_OBJS) tests/lib/test.ld
	$(LD) -m elf_i386 -nostdlib -static -T tests/lib/test.ld -o $@ $(filter %.o,$^)

-include $(TEST_LIB_OBJS:.o=.d)
