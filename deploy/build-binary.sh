#!/bin/sh
# Builds the release `rollout` binary that the container image ships, stripped, and installs it
# as OUT (default /out/rollout). One script for both places that build it, so they cannot drift:
# the Containerfile's builder stage runs it (COPY'd in), and deploy/build-image.sh runs it on the
# host in CI, where there is no container engine. POSIX sh: the builder image has no bash needs.
#
#   deploy/build-binary.sh [OUT]        (from the repository root; honours CARGO_TARGET_DIR)
#
# Cost: a cold build is about 18 minutes on 2 cores (measured 2026-12-07 with a test build beside it).
set -eu

out="${1:-/out/rollout}"
target_dir="${CARGO_TARGET_DIR:-target}"

# The image's release profile, through the environment rather than [profile.release], so that
# `cargo build --release` (and the benchmarks' builds) mean what they always did:
# - strip = "symbols": no symbol table (cargo strips with the toolchain's own tool, so the
#   builder needs no binutils);
# - lto = "fat", codegen-units = 1, opt-level = "s": the whole program optimised for size, which
#   took the stripped binary from 77.4 MB to 31.1 MB (measured 2026-12-07) and keeps the image
#   under issue 15's 60 MB, at the cost of a longer build (one codegen unit, whole-program LTO).
#   panic stays "unwind": a panicking request must not take the server down with it.
CARGO_PROFILE_RELEASE_STRIP=symbols \
CARGO_PROFILE_RELEASE_LTO=fat \
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
    cargo build --release --locked -p rollout-server --bin rollout

install -D -m 0755 "${target_dir}/release/rollout" "$out"
echo "built ${out}: $(wc -c < "$out") bytes"
