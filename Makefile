# vfio-early: one non-recursive Makefile.
#
#   make            build everything into $(B)/
#   make check      install missing Debian packages, then run every test
#   make demo       boot the QEMU demo: a passthrough boot and a recovery boot
#   make bench      the binder's cost next to the floor (a bare C loop) and shell scripts
#   make install    DESTDIR=... PREFIX=/usr
#   make deb        the Debian package (debian/), built in $(B)/deb/
#   make check-deb  build it, install, upgrade, remove and purge it in a Debian 12 chroot
#
# Sources are picked up by directory: a new .c file in common/, early/,
# recovery/, efi/ (and its loader folders), check/ or cli/ needs no change
# here. tests/unit/test-*.c each become a test program.
#
# The folders are layers, each allowed to include only itself and the layers
# below it (docs/architecture.md):
#   common <- early <- recovery <- efi <- check <- cli
# Every project include names its folder ("early/plan.h"). A layer is compiled
# with one include directory, $(B)/inc/LAYER, holding links to the folders it
# may use and nothing else, so an include that crosses upwards fails to
# compile; tests/lint/layers.sh checks the rest (no relative includes, the
# loader folders' private headers).

# The version is written in one place: the newest entry of debian/changelog
# (a native package, so no Debian revision). --version, the man pages' build
# and the .deb all take it from there; tests/lint/test-version.sh checks they agree.
VERSION := $(shell sed -n '1s/^vfio-early (\([^ ]*\)) .*/\1/p' debian/changelog 2>/dev/null)
ifeq ($(VERSION),)
$(error cannot read the version from the first line of debian/changelog)
endif
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec/vfio-early
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vfio-early
ITDIR ?= $(PREFIX)/share/initramfs-tools
DRACUTDIR ?= $(PREFIX)/lib/dracut/modules.d
UNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVDIR ?= $(PREFIX)/lib/udev
SYSCONFDIR ?= /etc
# The binder is stripped at install (it is copied into every initramfs); the
# Debian build sets INSTALL_STRIP= so dh_strip keeps its debug symbols apart.
INSTALL_STRIP ?= -s
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions

B ?= build
CC ?= cc
CFLAGS ?= -O2 -g
SAN ?=
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wno-format-nonliteral $(if $(findstring clang,$(CC)),,-Wno-format-truncation) -fno-strict-aliasing \
	-MMD -MP -DVFE_VERSION='"$(VERSION)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' $(SAN)
override LDFLAGS += $(SAN)

# The binder links only libc: early/ is compiled against <libkmod.h> but opens
# libkmod with dlopen() when a boot must load a module (early/modules.c), and
# its PCI scan reads sysfs itself. libpci serves the CLI (device names).
# The CLI and the tests get everything else linked; they dlopen libkmod too.
PKGS_EARLY := libkmod
PKGS_ALL := libkmod libpci efivar efiboot blkid
LIBS_ALL := libpci efivar efiboot blkid
# dlopen() is in libc since glibc 2.34; older ones need libdl (--as-needed drops it otherwise).
LIBDL := -Wl,--push-state,--as-needed -ldl -Wl,--pop-state
pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

LAYERS := common early recovery efi check cli
INC_common := common
INC_early := $(INC_common) early
INC_recovery := $(INC_early) recovery
INC_efi := $(INC_recovery) efi
INC_check := $(INC_efi) check
INC_cli := $(INC_check) cli
# The boot-time layers see only the binder's libraries. Their objects also
# serve the CLI: one section per function lets the binder's link drop what
# only the CLI calls (--gc-sections below), so sharing costs it no bytes.
PKGS_common := $(PKGS_EARLY)
PKGS_early := $(PKGS_EARLY)
SECTIONS_common := -ffunction-sections -fdata-sections
SECTIONS_early := $(SECTIONS_common)

COMMON_SRC := $(wildcard common/*.c)
EARLY_SRC := $(filter-out early/main.c,$(wildcard early/*.c))
RECOVERY_SRC := $(wildcard recovery/*.c)
EFI_SRC := $(wildcard efi/*.c efi/*/*.c)
CHECK_SRC := $(wildcard check/*.c)
CLI_SRC := $(filter-out cli/main.c cli/image-facts.c,$(wildcard cli/*.c))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))

LIB_COMMON := $(B)/libvfe-common.a
LIB_EARLY := $(B)/libvfe-early.a
LIB_EFI := $(B)/libvfe-efi.a
LIB_RECOVERY := $(B)/libvfe-recovery.a
LIB_CHECK := $(B)/libvfe-check.a
LIB_CLI := $(B)/libvfe-cli.a
LIB_TEST := $(B)/libvfe-test.a

BINDER := $(B)/vfio-early-bind
CLI := $(B)/vfio-early
# run by the initramfs hooks at image build time: the installed system's facts the binder cannot learn
FACTS := $(B)/vfio-early-image-facts
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOL_BINS := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRC))
DOCS := docs/guide.md docs/grub.md docs/dracut.md docs/json.md docs/fallback.md
UNITS := $(wildcard recovery/systemd/*.service recovery/systemd/*.path)
# Enabled where they are installed, as their [Install] sections say (the automatic fallback's callers)
UNIT_LINKS := multi-user.target.wants/vfio-early-confirm.service boot-complete.target.requires/vfio-early-confirm.service \
	multi-user.target.wants/vfio-early-session.path
MANPAGES := $(patsubst docs/%.scd,$(B)/man/%,$(wildcard docs/*.[1-8].scd))

ALL_LIBS := $(LIB_CLI) $(LIB_CHECK) $(LIB_EFI) $(LIB_RECOVERY) $(LIB_EARLY) $(LIB_COMMON)

.SECONDARY:
# a failed recipe (scdoc on a bad page) leaves no half-written target behind
.DELETE_ON_ERROR:
.PHONY: all check check-unit check-deb demo bench fuzz install uninstall clean deps man deb
all: $(BINDER) $(CLI) $(FACTS) $(UNIT_BINS) $(TOOL_BINS) $(MANPAGES)

V ?=
Q := $(if $(V),,@)

# $(B)/inc/LAYER: one link per folder LAYER may include.
$(B)/inc/%/.stamp: Makefile
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(Q)for d in $(INC_$*); do ln -s "$$(realpath --relative-to=$(dir $@) $$d)" $(dir $@)$$d; done
	@touch $@

define layer_rule
$(B)/$(1)/%.o: $(1)/%.c $(B)/inc/$(1)/.stamp
	@mkdir -p $$(dir $$@)
	@$$(if $$(V),,echo "  CC      $$@")
	$$(Q)$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(SECTIONS_$(1)) -I$(B)/inc/$(1) $$(call pc_cflags,$$(or $$(PKGS_$(1)),$$(PKGS_ALL))) -c -o $$@ $$<
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

# Tests see every folder.
$(B)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -I. $(call pc_cflags,$(PKGS_ALL)) -c -o $@ $<

define archive
$(1): $(call obj,$(2))
	@mkdir -p $$(dir $$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(eval $(call archive,$(LIB_COMMON),$(COMMON_SRC)))
$(eval $(call archive,$(LIB_EARLY),$(EARLY_SRC)))
$(eval $(call archive,$(LIB_EFI),$(EFI_SRC)))
$(eval $(call archive,$(LIB_RECOVERY),$(RECOVERY_SRC)))
$(eval $(call archive,$(LIB_CHECK),$(CHECK_SRC)))
$(eval $(call archive,$(LIB_CLI),$(CLI_SRC)))
$(eval $(call archive,$(LIB_TEST),$(TESTLIB_SRC)))

# --version prints VERSION, which a new debian/changelog entry changes.
$(B)/early/main.o $(B)/cli/main.o: debian/changelog

$(BINDER): $(B)/early/main.o $(LIB_EARLY) $(LIB_COMMON)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -Wl,--gc-sections -o $@ $^ $(LIBDL)

$(CLI): $(B)/cli/main.o $(ALL_LIBS)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_ALL)) $(LIBDL)

$(FACTS): $(B)/cli/image-facts.o $(ALL_LIBS)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_ALL)) $(LIBDL)

$(B)/tests/%: $(B)/tests/unit/%.o $(LIB_TEST) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_ALL)) $(LIBDL)

$(B)/tools/%: $(B)/tests/tools/%.o $(LIB_TEST) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_ALL)) $(LIBDL)

$(B)/man/%: docs/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@

man: $(MANPAGES)

# Debian packages the build and the tests need; installed when missing.
deps:
	@tests/deps.sh

# The unit tests again with ASan (LeakSanitizer included) and UBSan, in $(B)-asan/.
check: deps
	$(MAKE) all
	$(MAKE) B=$(B)-asan CC=clang SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		$(patsubst $(B)/%,$(B)-asan/%,$(UNIT_BINS))
	B=$(B) tests/run.sh

check-unit: all
	B=$(B) tests/run.sh --unit

# The Debian package: dpkg-buildpackage in a copy of the tree under $(DEBDIR),
# so the build's files (debian/tmp, .changes, the .deb) never land in the
# tree or its parent. Installs the build dependencies when run as root.
DEBDIR ?= $(B)/deb
deb:
	@debian/make-deb.sh "$(DEBDIR)" "$(VERSION)"

check-deb: deps
	B=$(B) tests/run.sh tests/package/

demo: deps
	$(MAKE) all
	B=$(B) tests/boot/demo.sh

bench: deps
	$(MAKE) all
	B=$(B) tests/bench/run.sh

fuzz: deps
	tests/fuzz/run.sh

install: $(BINDER) $(CLI) $(FACTS) $(MANPAGES)
	install -Dm755 $(CLI) $(DESTDIR)$(SBINDIR)/vfio-early
	install -Dm755 $(FACTS) $(DESTDIR)$(LIBEXECDIR)/vfio-early-image-facts
	# stripped: it is copied into every initramfs (281 KiB unstripped, 63 KiB stripped)
	install -Dm755 $(INSTALL_STRIP) $(BINDER) $(DESTDIR)$(LIBEXECDIR)/vfio-early-bind
	# udev: devices added after boot get the binder's config and guards (vfio-early-bind(8))
	install -d $(DESTDIR)$(UDEVDIR)/rules.d
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' early/udev/61-vfio-early.rules.in >$(DESTDIR)$(UDEVDIR)/rules.d/61-vfio-early.rules
	chmod 644 $(DESTDIR)$(UDEVDIR)/rules.d/61-vfio-early.rules
	install -Dm755 initramfs-hook/initramfs-tools/hooks/vfio-early $(DESTDIR)$(ITDIR)/hooks/vfio-early
	install -Dm755 initramfs-hook/initramfs-tools/scripts/init-top/00_vfio_early \
		$(DESTDIR)$(ITDIR)/scripts/init-top/00_vfio_early
	for f in $(MANPAGES); do s=$${f##*.}; install -Dm644 $$f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$f); done
	install -Dm644 docs/vfio-early.conf.example $(DESTDIR)$(DOCDIR)/vfio-early.conf.example
	for f in $(DOCS); do install -Dm644 $$f $(DESTDIR)$(DOCDIR)/$$(basename $$f); done
	# shell completion: bash-completion loads it on first use; zsh's Debian fpath has vendor-completions
	install -Dm644 completion/vfio-early.bash $(DESTDIR)$(BASHCOMPDIR)/vfio-early
	install -Dm644 completion/_vfio-early $(DESTDIR)$(ZSHCOMPDIR)/_vfio-early
	# GRUB: the "(no GPU passthrough)" entries; they stay empty until 'vfio-early boot install' (docs/grub.md)
	install -Dm755 recovery/grub.d/42_vfio-early $(DESTDIR)$(SYSCONFDIR)/grub.d/42_vfio-early
	# systemd-boot / kernelstub / Boot####: refresh the "(no GPU passthrough)" entry after kernel changes (vfio-early-boot(8))
	for d in kernel/postinst.d kernel/postrm.d initramfs/post-update.d; do \
		install -Dm755 recovery/kernel/zzz-vfio-early $(DESTDIR)$(SYSCONFDIR)/$$d/zzz-vfio-early; done
	install -Dm755 recovery/kernel-install/95-vfio-early.install $(DESTDIR)$(PREFIX)/lib/kernel/install.d/95-vfio-early.install
	# the automatic fallback's callers: 'vfio-early confirm --auto' after boot, '--session' at a local login (docs/fallback.md)
	for f in $(UNITS); do sed 's|/usr/sbin/vfio-early|$(SBINDIR)/vfio-early|' $$f >$(B)/$$(basename $$f) && \
		install -Dm644 $(B)/$$(basename $$f) $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	for l in $(UNIT_LINKS); do mkdir -p $(DESTDIR)$(UNITDIR)/$$(dirname $$l) && \
		ln -sfn ../$$(basename $$l) $(DESTDIR)$(UNITDIR)/$$l; done
	# dracut module: scripts 0755, systemd units 0644
	if [ -d initramfs-hook/dracut/90vfio-early ]; then \
		for f in initramfs-hook/dracut/90vfio-early/*; do \
			case $$f in *.service) m=644 ;; *) m=755 ;; esac; \
			install -Dm$$m $$f $(DESTDIR)$(DRACUTDIR)/90vfio-early/$$(basename $$f); done; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vfio-early $(DESTDIR)$(LIBEXECDIR)/vfio-early-bind \
		$(DESTDIR)$(LIBEXECDIR)/vfio-early-image-facts
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	rm -f $(DESTDIR)$(UDEVDIR)/rules.d/61-vfio-early.rules
	rm -f $(DESTDIR)$(ITDIR)/hooks/vfio-early $(DESTDIR)$(ITDIR)/scripts/init-top/00_vfio_early
	for f in $(MANPAGES); do s=$${f##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$f); done
	rm -f $(DESTDIR)$(DOCDIR)/vfio-early.conf.example
	for f in $(DOCS); do rm -f $(DESTDIR)$(DOCDIR)/$$(basename $$f); done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/vfio-early $(DESTDIR)$(ZSHCOMPDIR)/_vfio-early
	rm -f $(DESTDIR)$(SYSCONFDIR)/grub.d/42_vfio-early
	for d in kernel/postinst.d kernel/postrm.d initramfs/post-update.d; do rm -f $(DESTDIR)$(SYSCONFDIR)/$$d/zzz-vfio-early; done
	rm -f $(DESTDIR)$(PREFIX)/lib/kernel/install.d/95-vfio-early.install
	for l in $(UNIT_LINKS); do rm -f $(DESTDIR)$(UNITDIR)/$$l; rmdir $(DESTDIR)$(UNITDIR)/$$(dirname $$l) 2>/dev/null || :; done
	for f in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$f); done
	-rmdir $(DESTDIR)$(DOCDIR)
	rm -rf $(DESTDIR)$(DRACUTDIR)/90vfio-early

clean:
	rm -rf $(B) $(B)-asan build-fuzz

# (not those of the package build's copy of the tree under $(DEBDIR))
-include $(shell find $(B) -path '$(DEBDIR)' -prune -o -name '*.d' -type f -print 2>/dev/null)
