#!/usr/bin/env bash
# The container image's build, checked without a container engine (CI has none): runs the
# builder stage's build step (deploy/build-binary.sh, the script the Containerfile runs) on the
# host, then checks what the runtime stage would hold:
#   - the Containerfile really builds with that script (so the two cannot drift apart);
#   - the binary is stripped and needs no shared library the distroless base lacks;
#   - it runs: `--version`, and `serve` from an empty working directory, as in the image
#     (default sqlite:rollout.db there), answering /healthz and /readyz, then stopping on SIGTERM;
#   - the image's size: base image + binary, against issue 15's 60 MB goal and a hard ceiling.
#
#   deploy/build-image.sh [OUT]     (from anywhere; OUT defaults to target/image/rollout)
#
# Cost: a cold release build, 28 CPU-minutes: about 15 minutes on 2 idle cores (deploy/build-binary.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-target/image/rollout}"

# The runtime stage's base, gcr.io/distroless/base-nossl-debian13:nonroot, plus libgcc_s from the
# builder: 15,783,608 bytes measured on 2026-12-07 by unpacking (dpkg -x) the 7 Debian 13
# packages distroless builds that image from (its static/ and base/config.bzl: base-files,
# netbase, tzdata, tzdata-legacy, media-types, ca-certificates, libc6; trixie's versions that
# day, fetched with apt-get download), plus libgcc_s.so.1 (182,856 bytes, libgcc-s1 14.2.0-19),
# rounded up to 16.3 MB for what distroless generates (the CA bundle, /etc/passwd and friends).
# Re-measure when the base image changes (docs/operations.md, "Deployment", says how).
BASE_IMAGE_BYTES=16300000
# Issue 15 asks for an image under 60 MB: the check fails above it. The stripped binary measured
# 31,111,344 bytes on 2026-12-07 with deploy/build-binary.sh's size profile (77,424,144 without
# it), so the image is about 47 MB.
GOAL_BYTES=60000000
# Shared libraries in that image (glibc's, and libgcc_s copied in); the binary may need no other.
BASE_LIBS=" ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 \
libgcc_s.so.1 "

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

echo "-- the Containerfile builds with deploy/build-binary.sh"
grep -Eq '^COPY deploy/build-binary\.sh ' deploy/Containerfile \
    || fail "deploy/Containerfile does not COPY deploy/build-binary.sh into the builder"
grep -Eq '^ *sh deploy/build-binary\.sh /out/rollout' deploy/Containerfile \
    || fail "deploy/Containerfile's builder stage does not run deploy/build-binary.sh"

echo "-- build (deploy/build-binary.sh ${out})"
start=$(date +%s)
sh deploy/build-binary.sh "$out"
echo "build took $(($(date +%s) - start)) s"

echo "-- stripped, and only the base image's shared libraries"
# Whole outputs captured first: `grep -q` stops reading early, and under pipefail the writer's
# SIGPIPE would decide the test.
sections=$(readelf -S "$out")
if grep -q '\.symtab' <<<"$sections"; then
    fail "${out} still has a symbol table: it was not stripped"
fi
for lib in $(readelf -d "$out" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    case "$BASE_LIBS" in
    *" $lib "*) echo "needs ${lib}: in the base image" ;;
    *) fail "${out} needs ${lib}, which the image (distroless base-nossl + libgcc_s) does not have" ;;
    esac
done

echo "-- runs"
version=$("$out" --version)
echo "$version"
[[ "$version" =~ ^rollout\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed '${version}'"

# As in the image: an empty working directory, the default database (sqlite:rollout.db in it),
# JSON logs, listening on every address's port (here a free loopback port).
workdir=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
(cd "$workdir" && exec env -u ROLLOUT_DATABASE_URL ROLLOUT_LOG_FORMAT=json \
    "$abs_out" serve --listen 127.0.0.1:0 >stdout.log 2>stderr.log) &
server_pid=$!
url=
for _ in $(seq 1 120); do
    url=$(sed -n 's|^rollout is serving; GraphiQL at \(http://[^/]*\)/graphql$|\1|p' \
        "$workdir/stdout.log" 2>/dev/null || true)
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
done
if [ -z "$url" ]; then
    cat "$workdir/stdout.log" "$workdir/stderr.log" >&2 || true
    fail "rollout serve did not start (its output is above)"
fi
echo "serving at ${url}"
for probe in healthz readyz; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${url}/${probe}")
    [ "$code" = 200 ] || fail "GET /${probe} answered ${code}, not 200"
    echo "GET /${probe}: 200"
done
[ -f "$workdir/rollout.db" ] || fail "no rollout.db in the working directory"
echo "the SQLite database is in the working directory: rollout.db"
first_log=$(head -c 200 "$workdir/stderr.log")
[[ "$first_log" == "{"* ]] \
    || fail "the logs are not JSON with ROLLOUT_LOG_FORMAT=json: ${first_log}"
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
[ "$status" -eq 0 ] || fail "rollout serve exited with ${status} after SIGTERM, not 0"
echo "stopped on SIGTERM with status 0"

echo "-- size budget"
binary_bytes=$(wc -c <"$out")
total=$((BASE_IMAGE_BYTES + binary_bytes))
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
echo "image estimate: base image $(mb "$BASE_IMAGE_BYTES") + stripped binary $(mb "$binary_bytes")" \
    "= $(mb "$total")"
[ "$total" -lt "$GOAL_BYTES" ] \
    || fail "the image would be $(mb "$total"), over issue 15's goal of $(mb "$GOAL_BYTES")"
echo "within issue 15's goal of $(mb "$GOAL_BYTES")"
echo "image build checked"
