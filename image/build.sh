#!/usr/bin/env bash
# `make image`: the container image IMAGE from the unpacked distribution DIST_DIR, on a base built
# here from package registries alone (no image registry is needed):
#   - a Java runtime made by jlink from JDK (only the modules wirehub uses), in /opt/java;
#   - on a root file system of Debian 12's libc6 and busybox-static (a /bin/sh for the launcher
#     and wget for the HEALTHCHECK), made by mmdebstrap, with a wirehub user (uid 10001).
# The base is built once per input and kept: as a podman image (localhost/wirehub-base:KEY) and
# as a tarball under ~/.cache/wirehub/image/ (XDG_CACHE_HOME). KEY hashes this script, the JDK's
# release file and the ISO week, so Debian's security updates are picked up weekly.
# Where Docker Hub is reachable, BASE=docker.io/library/eclipse-temurin:25-jre (any JRE 21+
# image with a /bin/sh) skips all of this.
# Environment: IMAGE DIST_DIR JDK (make image sets them), BASE (optional).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/image/podman.sh"
: "${IMAGE:?}" "${DIST_DIR:?}" "${JDK:?}"
[ -x "$DIST_DIR/bin/wirehub" ] || { echo "image: no $DIST_DIR/bin/wirehub (make dist-dir)" >&2; exit 1; }

# The modules `jdeps --print-module-deps` lists for the jar and its libraries, less java.desktop
# (java.beans, used only by SnakeYAML's and the PostgreSQL driver's bean paths, which wirehub
# does not take: 16 MB), plus jdk.jcmd so that operators can `podman exec ... jcmd 1 GC.heap_info`.
MODULES=java.base,java.naming,java.security.jgss,java.sql,jdk.management,jdk.unsupported,jdk.jcmd
PACKAGES=libc6,busybox-static
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

build_base_tarball() { # $1: the tarball to write
    command -v mmdebstrap >/dev/null 2>&1 || { echo "image: mmdebstrap is needed to build the base (apt-get install mmdebstrap)" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT # global: the trap runs after this function has returned
    echo "image: jlink $MODULES from $JDK"
    "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress zip-6 \
        --output "$work/java"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'wirehub:x:10001:10001:wirehub:/nonexistent:/bin/false' >"$work/passwd"
    printf '%s\n' 'root:x:0:' 'wirehub:x:10001:' >"$work/group"
    echo "image: mmdebstrap $SUITE $PACKAGES"
    # extract: the packages' files only, no maintainer scripts and no dpkg/apt in the image (and
    # with it only extract hooks run).
    mmdebstrap --quiet --format=tar --variant=extract --include="$PACKAGES" \
        --extract-hook='chroot "$1" /bin/busybox --install -s /bin' \
        --extract-hook='rm -rf "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/locale "$1"/usr/share/lintian "$1"/usr/share/initramfs-tools "$1"/usr/lib/x86_64-linux-gnu/gconv' \
        --extract-hook='mkdir -p "$1"/opt "$1"/tmp "$1"/root && chmod 1777 "$1"/tmp' \
        --extract-hook="copy-in $work/java /opt" \
        --extract-hook="copy-in $work/passwd $work/group /etc" \
        "$SUITE" "$1.part" "$MIRROR"
    mv "$1.part" "$1"
}

if [ -z "${BASE:-}" ]; then
    key=$( { cat "$0" "$JDK/release"; date -u +%G-%V; } | sha256sum | cut -c1-16)
    BASE=localhost/wirehub-base:$key
    if ! podman image exists "$BASE"; then
        cache=${XDG_CACHE_HOME:-$HOME/.cache}/wirehub/image
        mkdir -p "$cache"
        tarball=$cache/base-$key.tar
        [ -s "$tarball" ] || build_base_tarball "$tarball"
        podman import --quiet --change 'ENV JAVA_HOME=/opt/java' --change 'ENV PATH=/opt/java/bin:/usr/bin:/bin' \
            "$tarball" "$BASE" >/dev/null
        # The bases of older keys, in the cache and in podman's storage: nothing uses them now.
        find "$cache" -name 'base-*.tar' ! -name "base-$key.tar" -delete
        podman images --format '{{.Repository}}:{{.Tag}}' localhost/wirehub-base | grep -vx "$BASE" |
            xargs -r podman rmi >/dev/null 2>&1 || true
    fi
fi
echo "image: $IMAGE from $BASE"
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
podman build --quiet --format docker --build-arg BASE="$BASE" --build-arg DIST="${DIST_DIR#"$ROOT"/}" \
    -t "$IMAGE" -f "$ROOT/Containerfile" "$ROOT" >/dev/null
# The build before this one under the same tag is left untagged: remove it (unless a container uses it).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
fi
echo "image: $IMAGE, $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.1f MB", $1 / 1e6}')"
