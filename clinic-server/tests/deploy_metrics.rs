//! The deployment files (deploy/) against the real server, so they cannot drift from it:
//! - every metric and every matcher label in the Grafana dashboard's PromQL and in the Prometheus alert rules
//!   exists in a live `/metrics` of `app()` after a few requests, and every metric family the server exports
//!   is on the dashboard;
//! - the Kubernetes probe paths answer 200 on the live server, on the port the manifests give it;
//! - every `CLINIC_*` variable the compose file, the manifests and the Dockerfile set is one the server reads;
//! - `clinic-server healthcheck` (the image's HEALTHCHECK) exits 0 on a live server and 1 on a dead one.
//!
//! YAML is read with PyYAML from the test venv (`scripts/test-tools.sh`), as JSON.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use common::{spawn_app, workspace_root};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_clinic-server");

/// A deploy file as JSON: YAML through PyYAML (`safe_load_all`, so a list of documents), JSON as it is.
fn load(rel: &str) -> Value {
    let path = workspace_root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if rel.ends_with(".json") {
        return serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
    let (ok, out) = common::run_python(
        "import json, sys, yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)",
        text.as_bytes(),
    );
    assert!(ok, "PyYAML could not read {rel}: {out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{rel} as JSON: {e}\n{out}"))
}

/// The series a PromQL expression selects: metric name and the label names its matchers use.
#[derive(Debug, PartialEq)]
struct Selector {
    metric: String,
    labels: Vec<String>,
}

fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Skips a quoted string starting at `i` (the quote); returns the index after the closing quote.
fn skip_string(s: &[char], i: usize) -> usize {
    let q = s[i];
    let mut j = i + 1;
    while j < s.len() && s[j] != q {
        if s[j] == '\\' && q != '`' {
            j += 1;
        }
        j += 1;
    }
    j + 1
}

/// Skips a bracketed group opening at `i` (`(`, `[` or `{`), strings inside included.
fn skip_group(s: &[char], i: usize) -> usize {
    let (open, close) = (
        s[i],
        match s[i] {
            '(' => ')',
            '[' => ']',
            _ => '}',
        },
    );
    let mut depth = 0;
    let mut j = i;
    while j < s.len() {
        match s[j] {
            '"' | '\'' | '`' => {
                j = skip_string(s, j);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    j
}

/// The label names of a matcher list `{a="x", b=~"y"}` starting at `i`; returns them and the index after `}`.
fn matcher_labels(s: &[char], i: usize) -> (Vec<String>, usize) {
    let mut labels = Vec::new();
    let mut j = i + 1;
    while j < s.len() && s[j] != '}' {
        match s[j] {
            '"' | '\'' | '`' => j = skip_string(s, j),
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = j;
                while j < s.len() && ident_char(s[j]) {
                    j += 1;
                }
                labels.push(s[start..j].iter().collect());
            }
            _ => j += 1,
        }
    }
    (labels, j + 1)
}

/// The selectors of a PromQL expression (Grafana's `$variables` allowed). Function and aggregation names,
/// keywords, grouping label lists, durations, numbers and strings are not selectors.
fn selectors(expr: &str) -> Vec<Selector> {
    const GROUPING: &[&str] = &["by", "without", "on", "ignoring", "group_left", "group_right"];
    const KEYWORDS: &[&str] = &["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"];
    // Aggregations may put their `by (...)` before the parenthesis: `sum by (le) (rate(x[5m]))`.
    const AGGREGATIONS: &[&str] = &[
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
        "limitk",
        "limit_ratio",
    ];
    let s: Vec<char> = expr.chars().collect();
    let mut out: Vec<Selector> = Vec::new();
    let mut last_was_metric = false;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '"' | '\'' | '`' => {
                i = skip_string(&s, i);
                last_was_metric = false;
            }
            '[' => i = skip_group(&s, i), // a range or subquery: durations only; the selector before stays
            '{' => {
                let (labels, next) = matcher_labels(&s, i);
                if last_was_metric {
                    out.last_mut().expect("a selector").labels.extend(labels);
                } else {
                    panic!("a selector without a metric name in {expr:?}: name the metric");
                }
                i = next;
                last_was_metric = false;
            }
            '$' => {
                i += 1;
                if i < s.len() && s[i] == '{' {
                    i = skip_group(&s, i);
                } else {
                    while i < s.len() && ident_char(s[i]) {
                        i += 1;
                    }
                }
                last_was_metric = false;
            }
            c if c.is_ascii_digit() || c == '.' => {
                while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == '.') {
                    i += 1;
                }
                last_was_metric = false;
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i < s.len() && ident_char(s[i]) {
                    i += 1;
                }
                let word: String = s[start..i].iter().collect();
                let mut k = i;
                while k < s.len() && s[k].is_whitespace() {
                    k += 1;
                }
                let next = s.get(k).copied();
                last_was_metric = false;
                if GROUPING.contains(&word.as_str()) {
                    if next == Some('(') {
                        i = skip_group(&s, k);
                    }
                } else if next == Some('(')
                    || KEYWORDS.contains(&word.to_ascii_lowercase().as_str())
                    || AGGREGATIONS.contains(&word.as_str())
                {
                    // a function or aggregation (its arguments are scanned next), or a keyword
                } else {
                    out.push(Selector { metric: word, labels: Vec::new() });
                    last_was_metric = true;
                }
            }
            _ => {
                i += 1;
                last_was_metric = false;
            }
        }
    }
    out
}

/// Sample names of an exposition with the label names each carries.
fn exposed(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let labels = out.entry(line[..name_end].to_string()).or_default();
        if line[name_end..].starts_with('{') {
            let chars: Vec<char> = line[name_end..].chars().collect();
            labels.extend(matcher_labels(&chars, 0).0);
        }
    }
    out
}

/// `# TYPE` families of an exposition.
fn families(text: &str) -> BTreeSet<String> {
    text.lines().filter_map(|l| l.strip_prefix("# TYPE ")?.split(' ').next().map(str::to_string)).collect()
}

/// Every PromQL expression of the dashboard, with where it is (panels nested in rows included), and the
/// template variables' queries.
fn dashboard_exprs(d: &Value) -> Vec<(String, String)> {
    fn walk(panels: &Value, out: &mut Vec<(String, String)>) {
        for p in panels.as_array().into_iter().flatten() {
            for t in p["targets"].as_array().into_iter().flatten() {
                if let Some(e) = t["expr"].as_str() {
                    out.push((format!("panel {:?}", p["title"].as_str().unwrap_or("?")), e.to_string()));
                }
            }
            walk(&p["panels"], out);
        }
    }
    let mut out = Vec::new();
    walk(&d["panels"], &mut out);
    for v in d["templating"]["list"].as_array().into_iter().flatten() {
        let q = v["query"]["query"].as_str().or_else(|| v["query"].as_str()).unwrap_or("");
        // label_values(<selector>, <label>): the selector is PromQL, the label must exist on it.
        if let Some(inner) = q.strip_prefix("label_values(").and_then(|r| r.strip_suffix(')')) {
            let (sel, label) = inner.rsplit_once(',').expect("label_values(selector, label)");
            let sel = sel.trim();
            let label = label.trim();
            let with_label = if let Some(open) = sel.strip_suffix('}') {
                format!("{open},{label}=~\".*\"}}")
            } else {
                format!("{sel}{{{label}=~\".*\"}}")
            };
            out.push((format!("variable {:?}", v["name"].as_str().unwrap_or("?")), with_label));
        }
    }
    out
}

fn alert_exprs(rules: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for doc in rules.as_array().into_iter().flatten() {
        for g in doc["groups"].as_array().into_iter().flatten() {
            for r in g["rules"].as_array().into_iter().flatten() {
                let name = r["alert"].as_str().or_else(|| r["record"].as_str()).unwrap_or("?");
                out.push((format!("rule {name}"), r["expr"].as_str().expect("expr").to_string()));
            }
        }
    }
    out
}

#[test]
fn the_promql_scanner_finds_selectors_and_only_them() {
    let got = selectors(
        r#"histogram_quantile(0.99, sum by (le, route) (rate(clinic_x_bucket{job="a",route!~".*/imports/.*|{x}"}[$__rate_interval])))
           / on(instance) group_left sum without (code) (increase(other:rule[5m] offset 1h)) > bool 0.5 and up == 0"#,
    );
    assert_eq!(
        got,
        vec![
            Selector { metric: "clinic_x_bucket".into(), labels: vec!["job".into(), "route".into()] },
            Selector { metric: "other:rule".into(), labels: vec![] },
            Selector { metric: "up".into(), labels: vec![] },
        ]
    );
    let text = "# TYPE m counter\nm{a=\"x,}\\\"y\",b=\"{id}\"} 1\nn 2\n";
    let e = exposed(text);
    assert_eq!(e["m"], BTreeSet::from(["a".to_string(), "b".to_string()]));
    assert!(e["n"].is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_and_alerts_use_only_what_the_server_exports() {
    let app = spawn_app().await;
    // Requests that make every labelled family appear: probes, availability, a booking and a conflict.
    for path in ["/healthz", "/readyz"] {
        assert_eq!(app.client.get(app.url(path)).send().await.unwrap().status(), 200, "{path}");
    }
    let slots = app.free_slots(0, 2).await;
    let (s, b) = app.post("/api/v1/appointments", "scheduler", app.booking(0, 0, &slots[0])).await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app.post("/api/v1/appointments", "scheduler", app.booking(1, 0, &slots[0])).await;
    assert_eq!(s, 409, "{b}");
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let series = exposed(&text);
    assert_eq!(
        series.get("clinic_store_up").map(|_| text.contains("\nclinic_store_up 1\n")),
        Some(true),
        "the scrape probes the store:\n{text}"
    );

    // What Prometheus adds to every scraped series, and the series it makes itself.
    let target_labels = ["job", "instance"];
    let synthetic = ["up"];

    let dashboard = load("deploy/grafana/dashboards/clinic-server.json");
    let rules = load("deploy/prometheus/alerts.yml");
    let mut used_by_dashboard = BTreeSet::new();
    let mut problems = Vec::new();
    for (source, exprs) in [("dashboard", dashboard_exprs(&dashboard)), ("alerts.yml", alert_exprs(&rules))] {
        assert!(exprs.len() >= 7, "{source}: only {} expressions found", exprs.len());
        for (place, expr) in exprs {
            let sels = selectors(&expr);
            if sels.is_empty() {
                problems.push(format!("{source} {place}: no metric in {expr:?}"));
            }
            for sel in sels {
                let known: BTreeSet<String> = match series.get(&sel.metric) {
                    Some(labels) => labels.clone(),
                    None if synthetic.contains(&sel.metric.as_str()) => BTreeSet::new(),
                    None => {
                        problems.push(format!("{source} {place}: {} is not exported by the server", sel.metric));
                        continue;
                    }
                };
                for l in &sel.labels {
                    if !known.contains(l) && !target_labels.contains(&l.as_str()) && l != "__name__" {
                        problems.push(format!("{source} {place}: {} has no label {l} (has {known:?})", sel.metric));
                    }
                }
                if source == "dashboard" {
                    used_by_dashboard.insert(sel.metric);
                }
            }
        }
    }
    assert!(problems.is_empty(), "deploy files refer to what /metrics does not have:\n{}", problems.join("\n"));

    // The other way round: the dashboard shows every family the server exports.
    let fams = families(&text);
    assert!(fams.len() >= 8, "{fams:?}");
    let missing: Vec<&String> = fams
        .iter()
        .filter(|f| {
            !used_by_dashboard
                .iter()
                .any(|m| *m == **f || m.strip_prefix(f.as_str()).is_some_and(|s| s.starts_with('_')))
        })
        .collect();
    assert!(missing.is_empty(), "metric families not on the Grafana dashboard: {missing:?}");
    app.stop().await;
}

/// The port of a `HOST:PORT` listen address.
fn port_of(listen: &str) -> u16 {
    listen.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or_else(|| panic!("no port in {listen:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubernetes_probes_answer_on_the_live_server_at_the_configured_port() {
    let docs = load("deploy/k8s/deployment.yaml");
    let deployment = &docs[0];
    assert_eq!(deployment["kind"], "Deployment");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let config = &load("deploy/k8s/configmap.yaml")[0]["data"];
    let listen_port = port_of(config["CLINIC_LISTEN"].as_str().expect("CLINIC_LISTEN in the ConfigMap"));
    let named_ports: BTreeMap<String, u64> = container["ports"]
        .as_array()
        .expect("ports")
        .iter()
        .map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["containerPort"].as_u64().expect("containerPort")))
        .collect();

    let app = spawn_app().await;
    let mut probed = BTreeMap::new();
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        let get = &container[probe]["httpGet"];
        let path = get["path"].as_str().unwrap_or_else(|| panic!("{probe} has no httpGet.path"));
        let port = match &get["port"] {
            Value::String(name) => *named_ports.get(name).unwrap_or_else(|| panic!("{probe}: no port named {name}")),
            v => v.as_u64().expect("port"),
        };
        assert_eq!(port, u64::from(listen_port), "{probe} probes a port the server does not listen on");
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{probe} {path} on the live server");
        probed.insert(probe, path.to_string());
    }
    // Readiness must depend on the store, liveness must not (a MongoDB outage would restart every pod).
    assert_eq!(probed["readinessProbe"], "/readyz");
    assert_eq!(probed["livenessProbe"], "/healthz");
    app.stop().await;
}

/// The `CLINIC_*` names a file sets, found by key (YAML maps and env lists) or `ENV` lines.
fn clinic_vars(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k.starts_with("CLINIC_") {
                    out.insert(k.clone());
                }
                if k == "name" && x.as_str().is_some_and(|s| s.starts_with("CLINIC_")) {
                    out.insert(x.as_str().unwrap_or_default().to_string());
                }
                clinic_vars(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| clinic_vars(x, out)),
        _ => {}
    }
}

#[test]
fn every_variable_the_deploy_files_set_is_one_the_server_reads() {
    let mut help = String::new();
    for args in [&["--help"][..], &["serve", "--help"], &["healthcheck", "--help"]] {
        let out = Command::new(BIN).args(args).output().expect("run clinic-server");
        assert!(out.status.success(), "{args:?}");
        help.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    let mut vars = BTreeSet::new();
    for f in ["deploy/docker-compose.yml", "deploy/k8s/configmap.yaml", "deploy/k8s/deployment.yaml"] {
        clinic_vars(&load(f), &mut vars);
    }
    let dockerfile = std::fs::read_to_string(workspace_root().join("deploy/Dockerfile")).unwrap();
    for w in dockerfile.split(|c: char| c.is_whitespace() || c == '=') {
        if w.starts_with("CLINIC_") {
            vars.insert(w.to_string());
        }
    }
    assert!(vars.len() >= 6, "{vars:?}");
    let unknown: Vec<&String> = vars
        .iter()
        .filter(|v| !help.contains(&format!("[env: {v}=")) && !help.contains(&format!("[env: {v}]")))
        .collect();
    assert!(unknown.is_empty(), "deploy files set variables clinic-server does not read: {unknown:?}");
}

fn healthcheck(listen: &str) -> std::process::Output {
    Command::new(BIN)
        .arg("healthcheck")
        .env("CLINIC_LISTEN", listen)
        .env_remove("CLINIC_HEALTHCHECK_URL")
        .env_remove("CLINIC_TLS_CERT")
        .output()
        .expect("run clinic-server healthcheck")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_command_exits_0_on_a_live_server_and_1_on_a_dead_one() {
    let app = spawn_app().await;
    // As in the image: the server listens on the wildcard address; the check dials loopback at that port.
    let listen = format!("0.0.0.0:{}", app.addr.port());
    let out = tokio::task::spawn_blocking(move || healthcheck(&listen)).await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let port = app.addr.port();
    app.stop().await;
    let out = tokio::task::spawn_blocking(move || healthcheck(&format!("127.0.0.1:{port}"))).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy"), "{}", String::from_utf8_lossy(&out.stderr));
    // A server that answers, but not 200, is unhealthy too.
    let app = spawn_app().await;
    let out = Command::new(BIN)
        .args(["healthcheck", "--url", &app.url("/no-such-path")])
        .output()
        .expect("run clinic-server healthcheck");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    app.stop().await;
}

#[test]
fn the_healthcheck_dials_loopback_for_a_wildcard_listen_address() {
    use clinic_server::cli::HealthcheckArgs;
    use clinic_server::commands::healthcheck_url;
    let args = |listen: &str, url: Option<&str>| HealthcheckArgs {
        url: url.map(str::to_string),
        listen: listen.parse().unwrap(),
        timeout: 3,
    };
    assert_eq!(healthcheck_url(&args("0.0.0.0:8080", None)), "http://127.0.0.1:8080/healthz");
    assert_eq!(healthcheck_url(&args("[::]:9000", None)), "http://[::1]:9000/healthz");
    assert_eq!(healthcheck_url(&args("127.0.0.2:80", None)), "http://127.0.0.2:80/healthz");
    assert_eq!(healthcheck_url(&args("0.0.0.0:8080", Some("http://x:1/readyz"))), "http://x:1/readyz");
}

#[test]
fn a_reminder_pass_sets_the_backlog_the_alert_watches() {
    use clinic_server_infra::reminders::DispatchReport;
    let m = clinic_server::metrics::Metrics::new();
    let report = DispatchReport { due: 6, sent: 2, skipped: 1, failed: 3 };
    m.observe_reminder_run::<()>(&Ok(report));
    let text = m.render();
    assert!(text.contains("\nclinic_reminder_backlog 3\n"), "{text}");
    assert!(text.contains("\nclinic_reminders_sent_total 2\n"), "{text}");
    assert!(text.contains("clinic_reminder_runs_total{outcome=\"ok\"} 1\n"), "{text}");
    // A pass that fails as a whole counts as an error and leaves the backlog as it was (unknown, not zero).
    m.observe_reminder_run(&Err("store down"));
    let text = m.render();
    assert!(text.contains("clinic_reminder_runs_total{outcome=\"error\"} 1\n"), "{text}");
    assert!(text.contains("\nclinic_reminder_backlog 3\n"), "{text}");
    // The next good pass that sends everything empties it.
    m.observe_reminder_run::<()>(&Ok(DispatchReport { due: 3, sent: 3, ..Default::default() }));
    assert!(m.render().contains("\nclinic_reminder_backlog 0\n"));
}
