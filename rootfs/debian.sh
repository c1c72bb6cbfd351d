#!/bin/sh
# debian.sh DIR [PACKAGES...] - build a Debian bookworm minbase root for
# umk with debootstrap, plus PACKAGES (default: python3 perl gcc libc6-dev
# make sqlite3 file procps xz-utils bzip2 iproute2) and their dependencies.
#
# UMK_DEBIAN_EXTRA adds packages to the list (default or given): CI sets
# it from tests/debian-extra-packages.txt, the packages some Debian cases
# need (PostgreSQL, inotify-tools, strace, gdb), which are skipped in a
# root without them.  Packages debootstrap cannot configure in its own
# order (gdb: APT_PKGS) are installed afterwards with apt-get inside the
# new root; the rest go in with debootstrap's --include.
#
# Cached: DIR/.umk-debian-stamp holds the package list and this script's
# version; a call that asks for packages the root already has (the same
# list, or part of it) returns at once, and a rebuild keeps the packages
# the old root had.  Builds
# into DIR.tmp and renames it into place, so a half-built root is never
# left at DIR.  Needs root (debootstrap); installs debootstrap with apt-get
# when it is missing.  The mirror is the one apt uses (deb822 file
# /etc/apt/sources.list.d/debian.sources, else /etc/apt/sources.list);
# UMK_DEBIAN_MIRROR overrides it.  Progress goes to DIR.log; on failure
# one line on stderr says what went wrong, and the status is 1.
#
#   rootfs/debian.sh build/debian                  # the default package set
#   rootfs/debian.sh /tmp/deb python3 gcc          # a chosen set
#   build/umk run --rootfs build/debian -- bash
set -u

VERSION=2 # bump when what this script puts into the root changes
SUITE=bookworm
DEFAULT_PKGS="python3 perl gcc libc6-dev make sqlite3 file procps xz-utils bzip2 iproute2"
APT_PKGS="gdb"

die() {
	echo "debian.sh: $*" >&2
	exit 1
}

[ $# -ge 1 ] && [ -n "$1" ] || die "usage: rootfs/debian.sh DIR [PACKAGES...]"
out=${1%/}
shift
[ $# -gt 0 ] && pkgs="$*" || pkgs=$DEFAULT_PKGS
pkgs="$pkgs ${UMK_DEBIAN_EXTRA:-}"
# the canonical list: sorted, unique, one line
pkgs=$(printf '%s\n' $pkgs | sort -u | tr '\n' ' ' | sed 's/ $//')
want="umk-debian $VERSION $SUITE: $pkgs"
stamp=$out/.umk-debian-stamp

# up to date: built by this version of the script with every package asked for
if [ -f "$stamp" ]; then
	have=$(cat "$stamp")
	case $have in
	"umk-debian $VERSION $SUITE: "*)
		lacking=
		for p in $pkgs; do
			case " ${have#*: } " in *" $p "*) ;; *) lacking="$lacking $p" ;; esac
		done
		[ -n "$lacking" ] || exit 0
		;;
	esac
	# a rebuild keeps what the root had (CI's extra packages survive a
	# run that asks only for a new default set)
	case $have in
	"umk-debian "*" $SUITE: "*)
		pkgs=$(printf '%s\n' $pkgs ${have#*: } | sort -u | tr '\n' ' ' | sed 's/ $//')
		want="umk-debian $VERSION $SUITE: $pkgs"
		;;
	esac
fi

[ "$(id -u)" = 0 ] || die "building $out needs root (debootstrap); run as root"

if ! command -v debootstrap >/dev/null 2>&1; then
	command -v apt-get >/dev/null 2>&1 || die "debootstrap missing and no apt-get to install it"
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; }; } \
		>/dev/null 2>&1 || die "cannot install debootstrap (apt-get install debootstrap failed)"
fi

# the mirror apt uses (the first non-security Debian archive)
mirror=${UMK_DEBIAN_MIRROR:-}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list)
fi
# no mirror found: debootstrap's own default

tmp=$out.tmp
log=$out.log
# a failed run may have left proc/sys mounted in DIR.tmp: unmount before removing
cleanup_tmp() {
	[ -d "$tmp" ] || return 0
	awk -v t="$(cd "$tmp" && pwd -P)" '$2 == t || index($2, t "/") == 1 { print $2 }' /proc/mounts |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf --one-file-system "$tmp"
}
cleanup_tmp
mkdir -p "$(dirname "$out")" || die "cannot create the parent of $out"
t0=$(date +%s)
echo "debian.sh: building $out ($SUITE minbase + $pkgs) from ${mirror:-debootstrap's default mirror}; log in $log" >&2

keyring=
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && keyring=--keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# what debootstrap installs, and what apt-get installs after it
inc= later=
for p in $pkgs; do
	case " $APT_PKGS " in
	*" $p "*) later="$later $p" ;;
	*) inc="$inc${inc:+,}$p" ;;
	esac
done
if ! debootstrap --variant=minbase $keyring ${inc:+--include="$inc"} "$SUITE" "$tmp" $mirror >"$log" 2>&1; then
	last=$(grep -E '^(E|W): ' "$log" | tail -1)
	[ -n "$last" ] || last=$(tail -1 "$log")
	cleanup_tmp
	die "debootstrap failed: ${last:-no output} (full log: $log)"
fi
if [ -n "$later" ]; then
	# apt-get in the new root, with its own /proc (unmounted again)
	if ! { mount -t proc proc "$tmp/proc" &&
		chroot "$tmp" apt-get update -q &&
		DEBIAN_FRONTEND=noninteractive chroot "$tmp" apt-get install -y -q --no-install-recommends $later &&
		chroot "$tmp" apt-get clean; } >>"$log" 2>&1; then
		last=$(grep -E '^(E|W): ' "$log" | tail -1)
		cleanup_tmp
		die "apt-get install$later in the new root failed: ${last:-see $log}"
	fi
	umount "$tmp/proc" || { cleanup_tmp; die "cannot unmount $tmp/proc"; }
fi

# make the root tidy and self-describing; nothing here needs the network
(
	set -e
	cd "$tmp"
	rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/*_Packages \
		var/log/bootstrap.log debootstrap
	echo umk >etc/hostname
	cat >etc/hosts <<'EOF'
127.0.0.1	localhost
127.0.1.1	umk
::1	localhost ip6-localhost ip6-loopback
EOF
	# etc/apt/sources.list is the one debootstrap wrote for the mirror it used
	: >etc/resolv.conf
	printf '%s\n' "$want" >.umk-debian-stamp
) || {
	cleanup_tmp
	die "post-install set-up of $tmp failed"
}

# replace the old root (unmounting anything a chroot left there)
if [ -e "$out" ]; then
	old=$out.old
	rm -rf --one-file-system "$old"
	mv "$out" "$old" && rm -rf --one-file-system "$old" || die "cannot remove the old $out"
fi
mv "$tmp" "$out" || die "cannot rename $tmp to $out"
t1=$(date +%s)
echo "debian.sh: $out ready in $((t1 - t0))s, $(du -sh --one-file-system "$out" | cut -f1)" >&2
