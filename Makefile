# umk - a user-mode Linux kernel.
#
#   make            build build/umk and the default root build/rootfs
#   make run        install what is missing (as root), build, run the demo
#   make check      unit tests (Check) and guest tests; ends with a summary line
#   make bench      guest vs native (and runsc/proot where installed);
#                   QUICK=1: each workload once, a smoke test
#   make bench-fault  what fault injection costs the syscalls it does not touch
#   make asan       build build-asan/umk with AddressSanitizer and UBSan
#   make fuzz       umk's own syscall fuzzer (tests/fuzz/) on both platforms:
#                   SEED=N COUNT=M (default 1, 20000); SAN=1: on build-asan/umk
#   make debian-rootfs  build/debian: a Debian bookworm root (debootstrap; root)

CC      ?= gcc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -pthread
LDLIBS  := -ldw -lelf -lunwind-x86_64 -lunwind -ljansson -lnettle -lm -lz -lext2fs -lcom_err -lcrypto -pthread
B       := build

# the kernel: main.c at the top, each subsystem in its folder (umkernel/fs/...)
KSRC    := $(wildcard umkernel/*.c umkernel/*/*.c) tracer/ptrace.c tracer/seccomp.c tracer/host.c guest-abi/syscall_table.c
KOBJ    := $(patsubst %.c,$(B)/obj/%.o,$(KSRC)) $(B)/obj/tracer/stub_blob.o
KHDR    := $(wildcard umkernel/*.h umkernel/*/*.h) $(wildcard tracer/*.h) $(wildcard guest-abi/*.h) guest-abi/syscalls.def
UNITSRC := $(wildcard tests/unit/*.c)
DEBPKGS := gcc make pkg-config libelf-dev libdw-dev libunwind-dev check busybox-static libseccomp-dev \
	   libjansson-dev nettle-dev gnuplot-nox gdb zlib1g-dev user-mode-linux \
	   libext2fs-dev comerr-dev e2fsprogs libssl-dev

all: $(B)/umk $(B)/umk-gdb.py $(B)/rootfs

$(B)/umk: $(KOBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# gdb helpers (umk-ps, umk-task...), installed next to the binary
$(B)/umk-gdb.py: umkernel/debug/umk-gdb.py
	@mkdir -p $(B)
	cp $< $@

$(B)/obj/%.o: %.c $(KHDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The stub: no libc, linked at STUB_START, embedded into umk.
$(B)/umk-stub: tracer/stub.c tracer/stub.ld tracer/stub_layout.h guest-abi/abi.h
	@mkdir -p $(B)
	$(CC) -O2 -DUMK_STUB_BUILD -nostdlib -static -fno-stack-protector -fpie -no-pie -ffreestanding -mgeneral-regs-only \
		-fno-asynchronous-unwind-tables -Wall -Wextra -Werror -T tracer/stub.ld \
		-Wl,--build-id=none -o $@ tracer/stub.c

$(B)/obj/tracer/stub_blob.o: tracer/stub_blob.S $(B)/umk-stub
	@mkdir -p $(dir $@)
	$(CC) -c -DSTUB_BIN='"$(B)/umk-stub"' -o $@ $<

$(B)/rootfs: rootfs/mkrootfs.sh
	sh rootfs/mkrootfs.sh $@

# Unit tests: Check suites linked with every kernel object but main.o.
$(B)/check_unit: $(UNITSRC) $(filter-out $(B)/obj/umkernel/main.o,$(KOBJ))
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $$(pkg-config --libs check)

deps:
	@missing=""; for p in $(DEBPKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "missing Debian packages:$$missing (run as root, or apt-get install them)"; exit 1; \
		fi; \
	fi

run: deps all
	$(B)/umk run -- /bin/sh -c 'uname -a; ls /; ps'

# Every guest test runs on every platform.
UMK_PLATFORMS ?= ptrace seccomp
check: all $(B)/check_unit
	UMK_PLATFORMS="$(UMK_PLATFORMS)" sh tests/run-all.sh

SEED  ?= 1
COUNT ?= 20000
fuzz: all $(if $(SAN),asan)
	UMK_PLATFORMS="$(UMK_PLATFORMS)" $(if $(SAN),UMK=build-asan/umk) sh tests/fuzz/run.sh $(SEED) $(COUNT)

bench: all
	UMK_PLATFORMS="$(UMK_PLATFORMS)" QUICK="$(QUICK)" sh tests/bench/bench.sh

# what fault injection costs the syscalls it does not touch
$(B)/fault-path: tests/bench/fault-path.c $(filter-out $(B)/obj/umkernel/main.o,$(KOBJ))
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench-fault: all $(B)/fault-path
	UMK_PLATFORMS="$(UMK_PLATFORMS)" sh tests/bench/fault-cost.sh

DEBIAN_PKGS ?=
debian-rootfs:
	sh rootfs/debian.sh $(B)/debian $(DEBIAN_PKGS)

# AddressSanitizer and UBSan; any UBSan report is fatal (-fno-sanitize-recover).
# Run the suite on it with UMK=build-asan/umk (.ci/run does).  A NULL
# dereference is left to the host's SIGSEGV and umk's oops report (which
# --debug-oops tests by calling a handler with a NULL task), not UBSan's.
SANFLAGS := -fsanitize=address,undefined -fno-sanitize=null -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
asan: $(B)/rootfs
	$(MAKE) B=build-asan CFLAGS="-O1 -g $(SANFLAGS)" \
		LDLIBS="-ldw -lelf -lunwind-x86_64 -lunwind -ljansson -lnettle -lm -lz -lext2fs -lcom_err -lcrypto -pthread $(SANFLAGS)" \
		build-asan/umk build-asan/umk-gdb.py build-asan/check_unit
	ln -sfn ../$(B)/rootfs build-asan/rootfs   # the default root next to the binary

clean:
	rm -rf $(B) build-asan

.PHONY: all deps run check bench bench-fault asan clean debian-rootfs fuzz
