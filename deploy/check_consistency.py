"""What the schemas cannot see: facts that span deploy/'s files and the server's settings.

Run by deploy/check.sh with its pinned Python tools (PyYAML):
    python deploy/check_consistency.py [DEPLOY_DIR]
Prints one line per problem and exits 1 if there is any, else prints what it checked.
"""

import pathlib
import re
import sys

import yaml

GRACE_ENV = "ROLLOUT_HTTP_SHUTDOWN_GRACE_SECS"


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def check_compose(deploy, problems):
    compose = yaml.safe_load((deploy / "compose.yaml").read_text())
    services = compose["services"]
    replicas = sorted(n for n in services if re.fullmatch(r"rollout-\d+", n))
    if len(replicas) < 2:
        problems.append(f"compose: {len(replicas)} rollout-N replicas, not 2 or more")
    for name in replicas:
        svc = services[name]
        env = svc.get("environment", {})
        if env.get("ROLLOUT_MIGRATE") != "false":
            problems.append(f"compose: {name} must run with ROLLOUT_MIGRATE: \"false\"")
        if env.get("ROLLOUT_METRICS_LISTEN") != "0.0.0.0:9464":
            problems.append(f"compose: {name} has no metrics listener on 0.0.0.0:9464")
        if svc.get("ports"):
            problems.append(f"compose: {name} publishes ports; only the load balancer may")
        if "migrate" not in svc.get("depends_on", {}):
            problems.append(f"compose: {name} does not wait for the migrate job")
        grace = int(env.get(GRACE_ENV, "0"))
        stop = int(str(svc.get("stop_grace_period", "10s")).rstrip("s"))
        if not 0 < grace < stop:
            problems.append(f"compose: {name}: {GRACE_ENV}={grace} must be within stop_grace_period {stop}s")
    lb = services.get("lb", {})
    if [p for p in lb.get("ports", []) if "9464" in str(p)]:
        problems.append("compose: the load balancer publishes the metrics port")
    text = (deploy / "haproxy" / "haproxy.cfg").read_text()
    haproxy = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    servers = sorted(re.findall(r"^\s*server\s+\S+\s+([\w-]+):8080\b", haproxy, re.M))
    if servers != replicas:
        problems.append(f"haproxy.cfg balances {servers}, compose runs {replicas}")
    for needed in ("uri /readyz", "timeout tunnel"):
        if needed not in haproxy:
            problems.append(f"haproxy.cfg has no '{needed}'")
    if "9464" in haproxy:
        problems.append("haproxy.cfg mentions 9464: metrics must not go through the load balancer")
    return len(replicas)


def load_k8s(deploy):
    docs = {}
    for path in sorted((deploy / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[(doc["kind"], doc["metadata"]["name"])] = (path.name, doc)
    return docs


def check_k8s(deploy, problems):
    docs = load_k8s(deploy)
    kfile = yaml.safe_load((deploy / "k8s" / "kustomization.yaml").read_text())
    listed = set(kfile["resources"])
    files = {p.name for p in (deploy / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    for missing in sorted(listed - files):
        problems.append(f"kustomization lists {missing}, which does not exist")
    for unlisted in sorted(files - listed - {"secret.example.yaml"}):
        problems.append(f"kustomization does not list {unlisted}")
    if "secret.example.yaml" in listed:
        problems.append("kustomization applies secret.example.yaml (placeholder passwords)")

    def get(kind, name):
        found = docs.get((kind, name))
        if found is None:
            problems.append(f"k8s: no {kind} {name}")
            return {}
        return found[1]

    dep = get("Deployment", "rollout")
    pod = dep.get("spec", {}).get("template", {})
    labels = pod.get("metadata", {}).get("labels", {})
    spec = pod.get("spec", {})
    (server,) = spec.get("containers", [{}])[:1] or [{}]
    env = env_of(server)
    ports = {p["name"]: p["containerPort"] for p in server.get("ports", [])}

    def selects(selector, what):
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            problems.append(f"k8s: {what} selector {selector} does not match the server's pods {labels}")

    if dep.get("spec", {}).get("replicas", 1) < 2:
        problems.append("k8s: the Deployment runs fewer than 2 replicas")
    if env.get("ROLLOUT_MIGRATE") != "false":
        problems.append("k8s: the server must run with ROLLOUT_MIGRATE=false")
    if ports != {"http": 8080, "metrics": 9464}:
        problems.append(f"k8s: the server's ports are {ports}, not http 8080 and metrics 9464")
    if env.get("ROLLOUT_METRICS_LISTEN") != "0.0.0.0:9464":
        problems.append("k8s: ROLLOUT_METRICS_LISTEN is not 0.0.0.0:9464")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        if server.get(probe, {}).get("httpGet", {}).get("path") != path:
            problems.append(f"k8s: {probe} is not GET {path}")
    grace = int(env.get(GRACE_ENV) or 0)
    pause = server.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    period = spec.get("terminationGracePeriodSeconds", 30)
    if not 0 < pause + grace < period:
        problems.append(f"k8s: preStop {pause}s + {GRACE_ENV}={grace} must be under terminationGracePeriodSeconds {period}")
    if not spec.get("securityContext", {}).get("runAsNonRoot"):
        problems.append("k8s: the server's pods may run as root")

    selects(get("Service", "rollout").get("spec", {}).get("selector"), "Service")
    selects(get("PodDisruptionBudget", "rollout").get("spec", {}).get("selector", {}).get("matchLabels"), "PodDisruptionBudget")
    selects(get("NetworkPolicy", "rollout").get("spec", {}).get("podSelector", {}).get("matchLabels"), "NetworkPolicy")
    target = get("HorizontalPodAutoscaler", "rollout").get("spec", {}).get("scaleTargetRef", {})
    if (target.get("kind"), target.get("name")) != ("Deployment", "rollout"):
        problems.append(f"k8s: the HorizontalPodAutoscaler scales {target}, not the Deployment")

    job = get("Job", "rollout-migrate").get("spec", {}).get("template", {}).get("spec", {})
    (migrate,) = job.get("containers", [{}])[:1] or [{}]
    if "migrate" not in migrate.get("args", []):
        problems.append("k8s: the migration Job does not run `rollout migrate`")
    owner = [e for e in migrate.get("env", []) if e["name"] == "ROLLOUT_DATABASE_URL"]
    if not owner or owner[0].get("valueFrom", {}).get("secretKeyRef", {}).get("key") != "owner-url":
        problems.append("k8s: the migration Job does not use the owner's URL (owner-url)")

    secret = get("Secret", "rollout-database").get("stringData", {})
    configmap = get("ConfigMap", "rollout-config").get("data", {})
    for name, kind, ref in (
        ("server", "Deployment", server),
        ("migrate", "Job", migrate),
    ):
        for e in ref.get("env", []):
            key = e.get("valueFrom", {}).get("secretKeyRef", {}).get("key")
            if key is not None and key not in secret:
                problems.append(f"k8s: {kind}'s {name} reads Secret key {key}, which the example lacks")
    if "rollout.toml" not in configmap:
        problems.append("k8s: the ConfigMap has no rollout.toml")
    return len(docs)


def main():
    deploy = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent)
    problems = []
    replicas = check_compose(deploy, problems)
    resources = check_k8s(deploy, problems)
    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        sys.exit(1)
    print(f"consistent: compose ({replicas} replicas, haproxy.cfg), k8s ({resources} resources)")


if __name__ == "__main__":
    main()
