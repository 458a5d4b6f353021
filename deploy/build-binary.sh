#!/bin/sh
# Builds the release `rollout` binary that the container image ships, stripped, and installs it
# as OUT (default /out/rollout). One script for both places that build it, so they cannot drift:
# the Containerfile's builder stage runs it (COPY'd in), and deploy/build-image.sh runs it on the
# host in CI, where there is no container engine. POSIX sh: the builder image has no bash needs.
#
#   deploy/build-binary.sh [OUT]        (from the repository root; honours CARGO_TARGET_DIR)
#
# Cost: a cold release build of the workspace's server is 28 CPU-minutes: about 15 minutes on 2 idle cores.
set -eu

out="${1:-/out/rollout}"
target_dir="${CARGO_TARGET_DIR:-target}"

# strip = "symbols" through the environment rather than a [profile.release] entry, so the image's
# binary is stripped without changing what `cargo build --release` means for anyone else; cargo
# strips with the toolchain's own tool, so the builder needs no binutils.
CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked -p rollout-server --bin rollout

install -D -m 0755 "${target_dir}/release/rollout" "$out"
echo "built ${out}: $(wc -c < "$out") bytes"
