# Sourced by image/build.sh and image/test.sh: podman with this project's settings
# (image/containers.conf: runc, cgroupfs, no default ulimits), and a clear word when it is missing.
IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$IMAGE_DIR/containers.conf}
command -v podman >/dev/null 2>&1 || {
    echo "image: podman is needed (Debian: apt-get install podman runc; .ci/run installs them)" >&2
    exit 1
}
