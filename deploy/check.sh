#!/usr/bin/env bash
# Validates deploy/ without a container engine or a cluster (CI has neither), and builds the
# image's binary (deploy/build-image.sh). Run from anywhere; `.ci/run` runs it before the tests.
#
#   deploy/check.sh              everything (a cold release build: about 15 minutes on 2 cores)
#   deploy/check.sh --no-build   the validators only (about a minute once the tools are cached)
#
# What it checks, each validator first proven able to fail on a deliberately broken copy:
#   Containerfile   hadolint (failure threshold: style, so any finding fails)
#   compose.yaml    the compose specification's JSON schema (unknown keys fail)
#   haproxy.cfg     haproxy -c (any warning but "cannot resolve the replicas' names" fails)
#   k8s/*.yaml      Kubernetes' JSON schemas, strict (unknown fields fail), for each version in
#                   K8S_VERSIONS; deploy/check_consistency.py for facts across files
#   prometheus/     promtool check rules / test rules / check config, for each YAML file there
#   ConfigMap       this build's `rollout` accepts its rollout.toml (unknown keys are refused)
#
# Tools are pinned and installed into a cache (ROLLOUT_DEPLOY_TOOLS, default
# ~/.cache/rollout-deploy-tools): Python ones from deploy/check-requirements.txt into a virtualenv;
# haproxy and promtool unpacked from Debian's packages with `apt-get download` + `dpkg -x` (no
# service installed or started), checked for the pinned release series.
set -euo pipefail

cd "$(dirname "$0")/.."
build=1
case "${1:-}" in
--no-build) build=0 ;;
"") ;;
*)
    echo "usage: deploy/check.sh [--no-build]" >&2
    exit 2
    ;;
esac

# Kubernetes versions the manifests must validate against: the oldest this project supports
# (1.30: preStop's sleep action) and the newest kubernetes-validate 1.37.0 ships.
K8S_VERSIONS="1.30.0 1.37.0"
HAPROXY_SERIES="2.6"     # Debian 12's; compose.yaml runs haproxy:2.6
PROMETHEUS_SERIES="2."   # Debian 12's promtool 2.42
tools="${ROLLOUT_DEPLOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/rollout-deploy-tools}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
section_start=$(date +%s)
section() {
    local now
    now=$(date +%s)
    echo "   (took $((now - section_start)) s)"
    section_start=$now
    echo "-- $*"
}

# ---- tools --------------------------------------------------------------------------------
echo "-- tools (cache: ${tools})"
mkdir -p "$tools"
req_hash=$(sha256sum deploy/check-requirements.txt | cut -c1-16)
venv="${tools}/venv-${req_hash}"
if [ ! -x "${venv}/bin/kubernetes-validate" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "${venv}/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        -r deploy/check-requirements.txt \
        || { rm -rf "$venv"; fail "pip could not install deploy/check-requirements.txt from PyPI"; }
fi
hadolint="${venv}/bin/hadolint"
"$hadolint" --version

apt_download() { # DIR PACKAGE...: the packages' .deb files, from Debian's archive
    local dir=$1
    shift
    mkdir -p "$dir"
    (cd "$dir" && apt-get download "$@" 2>/dev/null) \
        || { apt-get update -qq && (cd "$dir" && apt-get download "$@"); } \
        || fail "apt-get download $* failed"
}
haproxy_root="${tools}/haproxy"
if [ ! -x "${haproxy_root}/usr/sbin/haproxy" ]; then
    rm -rf "$haproxy_root" "${tools}/debs-haproxy"
    apt_download "${tools}/debs-haproxy" haproxy liblua5.3-0 libopentracing-c-wrapper0 libopentracing1
    for deb in "${tools}"/debs-haproxy/*.deb; do dpkg -x "$deb" "$haproxy_root"; done
    rm -rf "${tools}/debs-haproxy"
fi
haproxy() {
    LD_LIBRARY_PATH="${haproxy_root}/usr/lib/x86_64-linux-gnu" "${haproxy_root}/usr/sbin/haproxy" "$@"
}
# sed, not head: head would stop reading and, under pipefail, fail the pipe with SIGPIPE.
haproxy_version=$(haproxy -v | sed -n 1p)
echo "$haproxy_version"
[[ "$haproxy_version" == "HAProxy version ${HAPROXY_SERIES}."* ]] \
    || fail "haproxy is not the ${HAPROXY_SERIES} series that compose.yaml runs"
promtool="${tools}/promtool"
if [ ! -x "$promtool" ]; then
    apt_download "${tools}/debs-prometheus" prometheus
    dpkg -x "${tools}"/debs-prometheus/prometheus_*.deb "${tools}/prometheus-root"
    mv "${tools}/prometheus-root/usr/bin/promtool" "$promtool"
    rm -rf "${tools}/debs-prometheus" "${tools}/prometheus-root"
fi
promtool_version=$("$promtool" --version 2>&1 | sed -n 1p)
echo "$promtool_version"
[[ "$promtool_version" == "promtool, version ${PROMETHEUS_SERIES}"* ]] || fail "unexpected promtool"

# Each validator must reject the broken copy (proof that it checks something at all).
must_reject() { # WHAT COMMAND...: fail unless COMMAND exits non-zero
    local what=$1
    shift
    if "$@" >"${scratch}/rejected.log" 2>&1; then
        cat "${scratch}/rejected.log" >&2
        fail "the validator accepted ${what}: it checks nothing"
    fi
    echo "self-test: rejected ${what}"
}

# ---- Containerfile ------------------------------------------------------------------------
section "Containerfile (hadolint)"
lint() { "$hadolint" --failure-threshold style "$@"; }
# Root at run time, an unpinned base, apt without cleanup.
sed -e 's|^FROM gcr.io/distroless/base-nossl-debian13:nonroot|FROM debian:latest\nRUN apt-get update \&\& apt-get install curl|' \
    -e 's|^USER 65532:65532|USER root|' deploy/Containerfile >"${scratch}/Containerfile"
must_reject "a Containerfile with an unpinned base, apt without cleanup" lint "${scratch}/Containerfile"
lint deploy/Containerfile
echo "deploy/Containerfile: lints clean"

# ---- compose ------------------------------------------------------------------------------
section "compose.yaml (compose specification schema)"
compose_schema() { "${venv}/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$@"; }
sed 's/^  stop_grace_period: 30s/  stop_grace_perod: 30s/' deploy/compose.yaml >"${scratch}/compose.yaml"
grep -q stop_grace_perod "${scratch}/compose.yaml" || fail "self-test: compose.yaml changed shape"
must_reject "a compose file with a misspelled service key" compose_schema "${scratch}/compose.yaml"
compose_schema deploy/compose.yaml

section "haproxy.cfg (haproxy -c)"
haproxy_check() { # FILE: valid, and no warning but the replicas' names not resolving here
    local log="${scratch}/haproxy.log"
    haproxy -c -f "$1" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
    if grep '\[WARNING\]' "$log" | grep -v "could not resolve address 'rollout-[0-9]*'"; then
        echo "haproxy -c warned (above)" >&2
        return 1
    fi
    grep -q 'Configuration file is valid' "$log"
}
sed 's/http-check expect status 200/http-check expect stauts 200/' deploy/haproxy/haproxy.cfg \
    >"${scratch}/haproxy.cfg"
must_reject "a misspelled http-check" haproxy_check "${scratch}/haproxy.cfg"
haproxy_check deploy/haproxy/haproxy.cfg
echo "deploy/haproxy/haproxy.cfg: valid for ${haproxy_version}"

# ---- Kubernetes ---------------------------------------------------------------------------
section "k8s manifests (Kubernetes schemas, strict: ${K8S_VERSIONS})"
manifests=()
for f in deploy/k8s/*.yaml; do
    [ "$(basename "$f")" = kustomization.yaml ] || manifests+=("$f")
done
k8s_validate() { # VERSION FILE...: strict; a kind without a schema is a failure, not a warning
    local version=$1 log="${scratch}/k8s.log"
    shift
    "${venv}/bin/kubernetes-validate" --strict -k "$version" "$@" >"$log" 2>&1 \
        || { cat "$log" >&2; return 1; }
    cat "$log"
    if grep -q '^WARN' "$log"; then
        echo "kubernetes-validate warned (above)" >&2
        return 1
    fi
}
sed 's/readinessProbe:/readynessProbe:/' deploy/k8s/deployment.yaml >"${scratch}/deployment.yaml"
for v in $K8S_VERSIONS; do
    must_reject "a Deployment with a misspelled field (${v})" k8s_validate "$v" "${scratch}/deployment.yaml"
    k8s_validate "$v" "${manifests[@]}"
done
section "deploy/ consistency (deploy/check_consistency.py)"
cp -r deploy "${scratch}/deploy-broken"
sed -i 's/ROLLOUT_MIGRATE: "false"/ROLLOUT_MIGRATE: "true"/' "${scratch}/deploy-broken/compose.yaml"
must_reject "replicas that migrate" "${venv}/bin/python" deploy/check_consistency.py "${scratch}/deploy-broken"
"${venv}/bin/python" deploy/check_consistency.py deploy

# ---- Prometheus ---------------------------------------------------------------------------
section "Prometheus files (promtool)"
cat >"${scratch}/broken-rules.yaml" <<'EOF'
groups:
  - name: self-test
    rules:
      - alert: Broken
        expr: rate(http_requests_total[5m] > 1
EOF
must_reject "a rule with an unbalanced expression" "$promtool" check rules "${scratch}/broken-rules.yaml"
sed 's/\[5m\] > 1/[5m]) > 1/' "${scratch}/broken-rules.yaml" >"${scratch}/rules.yaml"
"$promtool" check rules "${scratch}/rules.yaml" >/dev/null || fail "promtool rejects a valid rule"
checked=0
for f in deploy/prometheus/*.yaml deploy/prometheus/*.yml; do
    [ -f "$f" ] || continue
    if grep -q '^rule_files:' "$f" && grep -q '^tests:' "$f"; then
        (cd "$(dirname "$f")" && "$promtool" test rules "$(basename "$f")")
    elif grep -q '^groups:' "$f"; then
        "$promtool" check rules "$f"
    elif grep -q '^scrape_configs:' "$f"; then
        "$promtool" check config --syntax-only "$f"
    else
        fail "${f}: neither rules (groups:), rule tests (rule_files: + tests:) nor a config (scrape_configs:)"
    fi
    checked=$((checked + 1))
done
echo "Prometheus files checked: ${checked}"

# ---- the image ----------------------------------------------------------------------------
if [ "$build" -eq 1 ]; then
    section "image (deploy/build-image.sh)"
    binary="${CARGO_TARGET_DIR:-target}/image/rollout"
    deploy/build-image.sh "$binary"

    section "ConfigMap's rollout.toml (accepted by this build)"
    config_toml() { # MANIFEST OUT: the ConfigMap's rollout.toml
        "${venv}/bin/python" -c 'import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["data"]["rollout.toml"], end="")' "$1" >"$2"
    }
    accepts() { "$binary" --config "$1" migrate --database-url "sqlite:${scratch}/config-check.db"; }
    config_toml deploy/k8s/configmap.yaml "${scratch}/rollout.toml"
    { printf 'log_fromat = "json"\n'; cat "${scratch}/rollout.toml"; } >"${scratch}/broken.toml"
    must_reject "a rollout.toml with a misspelled key" accepts "${scratch}/broken.toml"
    grep -q 'log_fromat' "${scratch}/rejected.log" \
        || fail "the misspelled rollout.toml was refused, but not for its key: $(cat "${scratch}/rejected.log")"
    accepts "${scratch}/rollout.toml"
    echo "deploy/k8s/configmap.yaml: rollout.toml accepted by $("$binary" --version)"
fi
section "deploy/ checked"
