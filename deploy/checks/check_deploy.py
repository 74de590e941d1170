"""Structural checks of the deployment files that need no container engine (run by scripts/test-deploy.sh
with the test venv's Python, which has PyYAML).

What the server must agree with (metric names, probe paths answering 200, the env variables it reads) is
checked against the real server by clinic-server/tests/deploy_metrics.rs; Prometheus and Alertmanager files
by promtool and amtool. This script checks how the files fit together: compose services, ports, health
checks and start order; the Kubernetes objects and how they select each other; Grafana's provisioning; the
Dockerfile's stages, user and health check.
"""

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
failures = []
checked = 0


def check(cond, what):
    global checked
    checked += 1
    if not cond:
        failures.append(what)


def load_all(rel):
    with open(DEPLOY / rel, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def server_routes():
    """The paths the server routes at top level, from its router (clinic-server/src/http.rs)."""
    src = (ROOT / "clinic-server/src/http.rs").read_text(encoding="utf-8")
    return set(re.findall(r'\.route\("(/[^"]*)"', src))


def server_default_listen_port():
    src = (ROOT / "clinic-server/src/cli.rs").read_text(encoding="utf-8")
    m = re.search(r'env = "CLINIC_LISTEN", default_value = "[^":]+:(\d+)"', src)
    assert m, "CLINIC_LISTEN default not found in clinic-server/src/cli.rs"
    return int(m.group(1))


def port_of(listen):
    return int(str(listen).rsplit(":", 1)[1])


def check_compose():
    (c,) = load_all("docker-compose.yml")
    services = c["services"]
    expected = {"mongo-1", "mongo-2", "mongo-3", "mongo-init", "clinic-a", "clinic-b", "prometheus", "alertmanager", "grafana"}
    check(expected <= set(services), f"compose: services {sorted(expected - set(services))} missing")

    host_ports = {}
    for name, s in services.items():
        for p in s.get("ports", []):
            host, container = str(p).split(":")[-2:]
            check(host not in host_ports, f"compose: host port {host} used by {host_ports.get(host)} and {name}")
            host_ports[host] = name
        # Every long-running service has a health check; the one-shot init has none and must not restart.
        if name == "mongo-init":
            check(s.get("restart") == "no", "compose: mongo-init must be one-shot (restart: \"no\")")
            check("rs.initiate" in (DEPLOY / "mongo/init-replica-set.js").read_text(), "compose: init script lacks rs.initiate")
            mounted = [v for v in s.get("volumes", []) if "init-replica-set.js" in v]
            check(mounted and (DEPLOY / mounted[0].split(":")[0]).resolve().is_file(), "compose: init script not mounted")
            for m in ("mongo-1", "mongo-2", "mongo-3"):
                check(s.get("depends_on", {}).get(m, {}).get("condition") == "service_healthy", f"compose: mongo-init must wait for {m}")
        else:
            hc = s.get("healthcheck", {}).get("test")
            check(isinstance(hc, list) and hc[0] == "CMD" and len(hc) > 1, f"compose: {name} has no exec-form health check")

    for m in ("mongo-1", "mongo-2", "mongo-3"):
        cmd = services[m]["command"]
        check("--replSet" in cmd and cmd[cmd.index("--replSet") + 1] == "rs0", f"compose: {m} is not in replica set rs0")
        check(not services[m].get("ports"), f"compose: {m} must not be published to the host")

    routes = server_routes()
    for name in ("clinic-a", "clinic-b"):
        s = services[name]
        env = s["environment"]
        port = port_of(env["CLINIC_LISTEN"])
        check(env["CLINIC_LISTEN"].startswith("0.0.0.0:"), f"compose: {name} must listen on all interfaces in its container")
        check([str(p).split(":")[-1] for p in s["ports"]] == [str(port)], f"compose: {name} publishes a port it does not listen on")
        store = env["CLINIC_STORE"]
        check(store.startswith("mongodb://") and "replicaSet=rs0" in store, f"compose: {name} store is not the replica set")
        for m in ("mongo-1", "mongo-2", "mongo-3"):
            check(f"{m}:27017" in store, f"compose: {name} store URI lacks {m}")
        check(env["CLINIC_JWT_SECRET"].startswith("${CLINIC_JWT_SECRET:?"), f"compose: {name} JWT secret must be required from the environment")
        check(s["healthcheck"]["test"] == ["CMD", "/app/clinic-server", "healthcheck"], f"compose: {name} health check is not the server's own")
        check(s["depends_on"]["mongo-init"]["condition"] == "service_completed_successfully", f"compose: {name} must start after the replica set init")
        check(s["build"]["dockerfile"] == "deploy/Dockerfile" and (DEPLOY / s["build"]["context"] / s["build"]["dockerfile"]).resolve().is_file(), f"compose: {name} build context")
    check({"/healthz", "/readyz", "/metrics"} <= routes, f"server routes lack a probe or /metrics: {routes}")
    check(services["clinic-b"]["depends_on"].get("clinic-a", {}).get("condition") == "service_healthy", "compose: clinic-b must start after clinic-a (demo seed)")

    # Prometheus scrapes exactly the compose server instances at their container port, and is wired to
    # Alertmanager and the rules; Grafana gets the provisioning directories.
    (prom,) = load_all("prometheus/prometheus.yml")
    jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
    targets = [t for sc in jobs["clinic-server"]["static_configs"] for t in sc["targets"]]
    check(sorted(targets) == sorted(f"{n}:{port_of(services[n]['environment']['CLINIC_LISTEN'])}" for n in ("clinic-a", "clinic-b")), f"prometheus: clinic-server targets {targets}")
    check(jobs["clinic-server"].get("metrics_path", "/metrics") in routes, "prometheus: metrics_path is not a server route")
    am = prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    check(am == ["alertmanager:9093"] and "9093:9093" in services["alertmanager"]["ports"], "prometheus: alertmanager target")
    mounts = " ".join(services["prometheus"]["volumes"])
    for rf in prom["rule_files"]:
        check(f"/etc/prometheus/{rf}" in mounts and (DEPLOY / "prometheus" / rf).is_file(), f"prometheus: rule file {rf} not mounted")
    gmounts = services["grafana"]["volumes"]
    check("./grafana/provisioning:/etc/grafana/provisioning:ro" in gmounts, "grafana: provisioning not mounted")
    (dprov,) = load_all("grafana/provisioning/dashboards/dashboards.yml")
    dash_path = dprov["providers"][0]["options"]["path"]
    check(f"./grafana/dashboards:{dash_path}:ro" in gmounts, "grafana: dashboards directory not mounted where the provider reads")
    check(services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?"), "grafana: admin password must be required")


def check_grafana():
    (ds,) = load_all("grafana/provisioning/datasources/prometheus.yml")
    source = ds["datasources"][0]
    check(source["type"] == "prometheus" and source["url"] == "http://prometheus:9090", "grafana: datasource")
    dash = json.loads((DEPLOY / "grafana/dashboards/clinic-server.json").read_text())
    check(dash.get("uid") and dash.get("title"), "grafana: dashboard uid/title")
    panels = [p for p in dash["panels"] if p["type"] != "row"]
    check(len(panels) >= 8, f"grafana: only {len(panels)} panels")
    ids = [p["id"] for p in dash["panels"]]
    check(len(ids) == len(set(ids)), "grafana: panel ids repeat")
    for p in panels:
        check(p["datasource"]["uid"] == source["uid"], f"grafana: panel {p['title']} names another datasource")
        check(p["targets"] and all(t.get("expr") and t["datasource"]["uid"] == source["uid"] for t in p["targets"]), f"grafana: panel {p['title']} targets")
        g = p["gridPos"]
        check(0 <= g["x"] and g["x"] + g["w"] <= 24, f"grafana: panel {p['title']} outside the grid")


def check_k8s():
    docs = {}
    for f in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if f.name == "kustomization.yaml":
            continue
        for d in load_all(f"k8s/{f.name}"):
            docs[(d["kind"], d["metadata"]["name"])] = (f.name, d)
    (kust,) = load_all("k8s/kustomization.yaml")
    for r in kust["resources"]:
        check((DEPLOY / "k8s" / r).is_file(), f"k8s: kustomization lists missing {r}")
    check("secret.example.yaml" not in kust["resources"], "k8s: the example Secret must not be applied")
    kinds = {k for k, _ in docs}
    check({"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap"} <= kinds, f"k8s: kinds {kinds}")

    dep = docs[("Deployment", "clinic-server")][1]
    pod = dep["spec"]["template"]
    labels = pod["metadata"]["labels"]
    check(all(labels.get(k) == v for k, v in dep["spec"]["selector"]["matchLabels"].items()), "k8s: Deployment selector does not match its pods")
    check(dep["spec"]["replicas"] >= 2, "k8s: fewer than two replicas")
    spec = pod["spec"]
    sc = spec["securityContext"]
    check(sc.get("runAsNonRoot") is True and sc.get("runAsUser", 0) != 0, "k8s: pod may run as root")
    (c,) = spec["containers"]
    csc = c["securityContext"]
    check(csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True and csc["capabilities"]["drop"] == ["ALL"], "k8s: container securityContext")
    check(c["resources"]["requests"].get("cpu") and c["resources"]["requests"].get("memory") and c["resources"]["limits"].get("memory"), "k8s: resources")

    (cm_file, cm) = docs[("ConfigMap", "clinic-server")]
    check(any(e.get("configMapRef", {}).get("name") == "clinic-server" for e in c.get("envFrom", [])), "k8s: ConfigMap not used")
    port = port_of(cm["data"]["CLINIC_LISTEN"])
    http = {p["name"]: p["containerPort"] for p in c["ports"]}
    check(http.get("http") == port, f"k8s: containerPort http {http.get('http')} != listen port {port}")
    routes = server_routes()
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        g = c[probe]["httpGet"]
        check(g["path"] in routes and g["port"] in ("http", port), f"k8s: {probe} {g}")
    check(c["readinessProbe"]["httpGet"]["path"] == "/readyz" and c["livenessProbe"]["httpGet"]["path"] == "/healthz", "k8s: readiness /readyz, liveness /healthz")
    ann = pod["metadata"].get("annotations", {})
    check(int(ann.get("prometheus.io/port", 0)) == port and ann.get("prometheus.io/path") in routes, "k8s: scrape annotations")
    grace = int(cm["data"].get("CLINIC_SHUTDOWN_GRACE", 20))
    check(spec.get("terminationGracePeriodSeconds", 30) > grace, "k8s: termination grace must exceed CLINIC_SHUTDOWN_GRACE")

    # Secrets come from a Secret volume as files, and every *_FILE variable points into that mount.
    vols = {v["name"]: v for v in spec["volumes"]}
    secret_mounts = [m for m in c["volumeMounts"] if "secret" in vols[m["name"]]]
    check(len(secret_mounts) == 1 and secret_mounts[0].get("readOnly") is True, "k8s: one read-only Secret volume")
    mount = secret_mounts[0]["mountPath"]
    secret_name = vols[secret_mounts[0]["name"]]["secret"]["secretName"]
    example = docs.get(("Secret", secret_name))
    check(example is not None, f"k8s: no example of Secret {secret_name}")
    keys = set((example[1].get("stringData") or {}).keys()) if example else set()
    file_vars = {e["name"]: e.get("value", "") for e in c.get("env", []) if e["name"].endswith("_FILE")}
    check(file_vars, "k8s: no secret is read from a file")
    for name, path in file_vars.items():
        check(path.startswith(mount + "/") and path[len(mount) + 1:] in keys, f"k8s: {name}={path} is not a key of Secret {secret_name} under {mount}")
    check(not any("secretKeyRef" in str(e) for e in c.get("env", [])), "k8s: secrets must be files, not env values")
    check(all("value" in e or "valueFrom" in e for e in c.get("env", [])), "k8s: env entry without value")
    check(not any(re.search(r"SECRET|PASSWORD|STORE$", k) for k in cm["data"]), "k8s: a secret in the ConfigMap")

    svc = docs[("Service", "clinic-server")][1]
    check(all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()), "k8s: Service selector does not match the pods")
    check(all(p["targetPort"] in ("http", port) for p in svc["spec"]["ports"]), "k8s: Service targetPort")
    hpa = docs[("HorizontalPodAutoscaler", "clinic-server")][1]["spec"]
    check(hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "clinic-server"}, "k8s: HPA target")
    check(2 <= hpa["minReplicas"] <= hpa["maxReplicas"], "k8s: HPA bounds")
    check(any(c.get("resources", {}).get("requests", {}).get(m["resource"]["name"]) for m in hpa["metrics"] if m["type"] == "Resource"), "k8s: HPA utilisation needs the resource request")
    pdb = docs[("PodDisruptionBudget", "clinic-server")][1]["spec"]
    check(all(labels.get(k) == v for k, v in pdb["selector"]["matchLabels"].items()), "k8s: PDB selector does not match the pods")
    min_available = pdb.get("minAvailable", hpa["minReplicas"] - pdb.get("maxUnavailable", 0))
    check(min_available < hpa["minReplicas"], "k8s: the PDB would block every drain at the HPA minimum")
    check(dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, "k8s: rolling update must keep capacity")


def check_dockerfile():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    names = [n for _, n in stages]
    check(len(stages) >= 4 and {"wasm", "web", "server", "runtime"} <= set(names), f"Dockerfile: stages {names}")
    check(stages[-1][0].startswith("gcr.io/distroless/") or "slim" in stages[-1][0], "Dockerfile: runtime is not a small image")
    runtime = text[text.rindex("\nFROM "):]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    check(user and user[-1].split(":")[0] not in ("0", "root"), "Dockerfile: runtime user is root")
    check(re.search(r'^HEALTHCHECK .*\n?.*CMD \["/app/clinic-server", "healthcheck"\]', runtime, re.M), "Dockerfile: HEALTHCHECK is not the server's own")
    listen = re.search(r"CLINIC_LISTEN=0\.0\.0\.0:(\d+)", runtime)
    expose = re.search(r"^EXPOSE (\d+)", runtime, re.M)
    check(listen and expose and listen.group(1) == expose.group(1), "Dockerfile: EXPOSE differs from CLINIC_LISTEN")
    check("CLINIC_WEB_DIR=/app/web" in runtime and "COPY --from=web /src/frontend/dist /app/web" in runtime, "Dockerfile: frontend not served")
    check("bindings/wasm/build.sh" in text and "npm ci" in text and "cargo build --release --locked -p clinic-server" in text, "Dockerfile: build steps")
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    check("**/target" in ignore and "**/node_modules" in ignore, "Dockerfile.dockerignore: build outputs not excluded")
    check(server_default_listen_port() > 0, "cli.rs default port")


def main():
    for f in (check_compose, check_grafana, check_k8s, check_dockerfile):
        try:
            f()
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
            failures.append(f"{f.__name__}: {type(e).__name__}: {e}")
    for msg in failures:
        print(f"FAIL: {msg}", file=sys.stderr)
    print(f"deploy-checks: {checked - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
