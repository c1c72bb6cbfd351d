#!/bin/sh
# mkrootfs.sh OUTDIR - build umk's default guest root from Debian's
# busybox-static: bin/busybox, one symlink per applet, the usual empty
# directories and a minimal /etc.  Builds into OUTDIR.tmp and renames it
# into place, so a half-built root is never left at OUTDIR.  Does nothing
# if OUTDIR is newer than both this script and /bin/busybox.
set -eu

out=${1:?usage: mkrootfs.sh OUTDIR}
bb=/bin/busybox
self=$0

if [ ! -x "$bb" ] || ! "$bb" --list-full >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static >&2
	else
		echo "mkrootfs: $bb missing; install busybox-static (apt-get install busybox-static)" >&2
		exit 1
	fi
fi
# The guest has no dynamic loader: a dynamically linked busybox will not do.
if command -v file >/dev/null && ! file -L "$bb" | grep -q 'statically linked'; then
	echo "mkrootfs: $bb is not statically linked; install busybox-static" >&2
	exit 1
fi

if [ -d "$out" ] && [ -z "$(find -L "$self" "$bb" -newer "$out" 2>/dev/null)" ]; then
	exit 0
fi

tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
(
cd "$tmp"

mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp root etc home var/tmp
chmod 1777 tmp var/tmp
chmod 700 root
cp "$bb" bin/busybox
chmod 755 bin/busybox

"$bb" --list-full | while read -r app; do
	case $app in bin/busybox|'') continue ;; esac
	mkdir -p "$(dirname "$app")"
	ln -sf /bin/busybox "$app"
done

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo umk >etc/hostname
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
127.0.1.1	umk
::1	localhost ip6-localhost ip6-loopback
EOF

)
rm -rf "$out"
mv "$tmp" "$out"
