# Hypervisor benchmark kernels (bench/hv/*.c): PV kernels linked with the test
# runtime (tests/lib), as the test kernels are. bench/hv.bench.ts boots them.
BENCH_HV_SRCS := $(wildcard bench/hv/*.c)
BENCH_HV_KERNELS := $(addprefix $(BUILD)/,$(BENCH_HV_SRCS:.c=.elf))
KERNELS := $(filter-out $(BENCH_HV_KERNELS),$(KERNELS)) $(BENCH_HV_KERNELS)

$(BUILD)/bench/hv/%.o: CFLAGS += -Itests/lib -fno-tree-loop-distribute-patterns -Werror

$(BENCH_HV_KERNELS): $(BUILD)/bench/hv/%.elf: $(BUILD)/bench/hv/%.o $(TEST_LIB_OBJS) tests/lib/test.ld
	$(LD) -m elf_i386 -nostdlib -static -T tests/lib/test.ld -o $@ $(filter %.o,$^)

all: $(BENCH_HV_KERNELS)
