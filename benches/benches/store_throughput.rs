//! Store throughput (issue 10): bookings per second through `Scheduler::create_appointment` with 1, 8 and 64
//! concurrent tasks on each real store — an SQLite file (WAL, `synchronous=FULL`) in a temporary directory, and
//! FerretDB started by `clinic_mongo::test_support` (or the MongoDB of `CLINIC_TEST_MONGODB_URI`) — next to
//! the same store's raw insert rate of an appointment-sized record at the same concurrency, measured in the
//! same run on the same store, so each figure also reads as a ratio of the store's own ceiling.
//!
//! Raw insert: SQLite, one `INSERT` of an appointment row per `BEGIN IMMEDIATE` transaction on the store's own
//! connection and file (`SqliteStore::raw_insert_appointment`); MongoDB, one `insert_one` of the serialized
//! appointment document into a scratch collection with the store's write concern
//! (`MongoStore::raw_insert_appointment`). Raw inserts and bookings alternate in four rounds (the same number of
//! each), so that neither side gets the warmer store or a quieter moment of a shared machine.
//!
//! Workload: see `clinic_benches::stores` — 32 practitioners with weekly schedules over four weeks; the tasks
//! book non-conflicting appointments (no two tasks share a guard key), so every booking must succeed on its
//! first commit and the rate measures the store path. A contended row (64 tasks all wanting the same 64 places
//! of 4 practitioners) shows the retry path: exactly one booking per place may win.
//!
//! Why not criterion: criterion times one routine by repeating it many times and modelling the per-iteration
//! latency; throughput under concurrency is a different measurement — N tasks running at once over a fixed
//! body of work, against a store whose state every booking changes (a slot can be booked once, so an iteration
//! cannot be repeated without re-seeding a clinic), timed by the wall clock from a common start to the last
//! task's end. Criterion's async support also drives one future at a time. A plain `main` on a tokio
//! multi-thread runtime does exactly the measurement, and prints one table.
//!
//! `cargo bench -p clinic-benches --bench store_throughput` measures; environment: `STORE_BENCH_RUNS` (repeats,
//! default 1; with more, the summary gives the median and the range), `STORE_BENCH_STORES` (`sqlite,mongo`),
//! `STORE_BENCH_SQLITE_BOOKINGS` (default 1000), `STORE_BENCH_MONGO_BOOKINGS` (default 256).
//! `STORE_BENCH_TABLE=0` skips the table (the breakdown alone). `STORE_BENCH_BREAKDOWN=0` skips the per-call breakdown printed at the end (where one booking's time goes,
//! next to one raw insert). `decided/s` counts every request answered — for the contended row mostly
//! rejections (the place was taken) — while `bookings/s` counts successes. Without `--bench`
//! (`cargo test --all-targets`) it is a smoke run: a few bookings per store, asserting that every booking and
//! every raw insert succeeded and that the store holds exactly what was booked.

use std::sync::Arc;
use std::time::Instant;

use chrono::Duration;
use clinic_benches::stores::{
    bench_scheduler, deal, first_day, median, patients_needed, run_bookings, run_concurrent, Run, ThroughputClinic,
    WEEKS,
};
use clinic_core::ports::{AppointmentFilter, Store};
use clinic_core::{Appointment, AppointmentStatus, ClinicError};
use clinic_mongo::test_support::TestMongo;
use clinic_mongo::MongoStore;
use clinic_sqlite::SqliteStore;

const TASKS: [usize; 3] = [1, 8, 64];
/// Contended variant: tasks, and requests per task (all tasks want the same places).
const CONTENDED: (usize, usize) = (64, 8);

#[derive(Debug, Clone)]
struct Row {
    store: &'static str,
    variant: &'static str,
    tasks: usize,
    bookings: usize,
    booked: Run,
    raw: Option<Run>,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.raw.as_ref().map(|r| self.booked.rate() / r.rate())
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn combine(a: Run, b: Run) -> Run {
    let mut errors = a.errors;
    errors.extend(b.errors);
    Run {
        tasks: a.tasks,
        attempted: a.attempted + b.attempted,
        succeeded: a.succeeded + b.succeeded,
        errors,
        elapsed: a.elapsed + b.elapsed,
    }
}

/// Active appointments the store holds over `[from, from + days)`.
async fn stored<S: Store + ?Sized>(store: &S, c: &ThroughputClinic, from_day: chrono::NaiveDate, days: i64) -> usize {
    let from = from_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let f = AppointmentFilter {
        clinic_id: Some(c.clinic.id()),
        from: Some(from),
        to: Some(from + Duration::days(days)),
        statuses: vec![AppointmentStatus::Booked],
        ..Default::default()
    };
    store.list_appointments(&f).await.expect("list appointments").len()
}

/// Raw inserts and bookings alternate in this many rounds (raw first in each), so that both sides see the same
/// machine: on a shared machine the load changes within seconds.
const ROUNDS: usize = 4;

/// Splits each task's list into `ROUNDS` consecutive parts: `out[r][t]` is part `r` of task `t`'s list.
fn rounds<T>(work: Vec<Vec<T>>) -> Vec<Vec<Vec<T>>> {
    let mut out: Vec<Vec<Vec<T>>> = (0..ROUNDS).map(|_| Vec::new()).collect();
    for items in work {
        let per = items.len().div_ceil(ROUNDS).max(1);
        let mut it = items.into_iter();
        for part in out.iter_mut() {
            part.push(it.by_ref().take(per).collect());
        }
    }
    out
}

/// One (store, tasks) measurement on a freshly seeded store: [`ROUNDS`] rounds of raw inserts then bookings, the
/// same number of each, all tasks released together in each phase; checks the outcome.
async fn measure<S, R, Fut>(
    store: Arc<S>,
    name: &'static str,
    tasks: usize,
    bookings: usize,
    raw: R,
    commands: Option<&dyn Fn() -> Counts>,
) -> Row
where
    S: Store + ?Sized + 'static,
    R: Fn(Appointment) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), ClinicError>> + Send + 'static,
{
    let c = ThroughputClinic::seed(store.clone(), patients_needed(tasks, bookings)).await.expect("seed the clinic");
    let raw_docs = c.raw_appointments(bookings).expect("raw appointments");
    let raw_rounds = rounds(deal(raw_docs, tasks));
    let booking_rounds = rounds(c.plan(tasks, bookings));
    let (mut raw_run, mut booked): (Option<Run>, Option<Run>) = (None, None);
    let mut booking_commands = Counts::new();
    for (raw_part, booking_part) in raw_rounds.into_iter().zip(booking_rounds) {
        let r = run_concurrent(raw_part, raw.clone()).await;
        raw_run = Some(match raw_run {
            Some(a) => combine(a, r),
            None => r,
        });
        let before = commands.map(|f| f());
        let b = run_bookings(bench_scheduler(store.clone()), booking_part).await;
        if let (Some(before), Some(f)) = (before, commands) {
            for (k, v) in f() {
                *booking_commands.entry(k.clone()).or_default() += v - before.get(&k).copied().unwrap_or(0);
            }
        }
        booked = Some(match booked {
            Some(a) => combine(a, b),
            None => b,
        });
    }
    let (raw, booked) = (raw_run.expect("at least one round"), booked.expect("at least one round"));
    assert_eq!(booked.succeeded, bookings, "{name}, {tasks} tasks: every booking must succeed: {:?}", booked.errors);
    assert_eq!(raw.succeeded, bookings, "{name}, {tasks} tasks: every raw insert must succeed: {:?}", raw.errors);
    let held = stored(&*store, &c, first_day(), 7 * WEEKS as i64).await;
    assert_eq!(held, bookings, "{name}, {tasks} tasks: the store must hold exactly the bookings made");
    if commands.is_some() {
        let per = |k: &str| booking_commands.get(k).copied().unwrap_or(0) as f64 / bookings as f64;
        let kinds: Vec<String> = booking_commands
            .keys()
            .filter(|k| !k.ends_with(" µs") && per(k) > 0.0)
            .map(|k| format!("{k} {:.2} ({:.2} ms)", per(k), per(&format!("{k} µs")) / 1e3))
            .collect();
        eprintln!("{name}, {tasks} tasks, per booking: {}", kinds.join(", "));
    }
    Row { store: name, variant: "disjoint", tasks, bookings, booked, raw: Some(raw) }
}

/// The contended variant: every task wants the same places; exactly one booking per place may win.
async fn measure_contended<S: Store + ?Sized + 'static>(store: Arc<S>, name: &'static str) -> Row {
    let (tasks, per_task) = CONTENDED;
    let c = ThroughputClinic::seed(store.clone(), tasks).await.expect("seed the clinic");
    let booked = run_bookings(bench_scheduler(store.clone()), c.contended_plan(tasks, per_task)).await;
    let held = stored(&*store, &c, first_day(), 7 * WEEKS as i64).await;
    assert_eq!(held, booked.succeeded, "{name} contended: the store must hold exactly the bookings that succeeded");
    assert!(booked.succeeded <= per_task, "{name} contended: at most one booking per place ({booked:?})");
    Row { store: name, variant: "contended", tasks, bookings: tasks * per_task, booked, raw: None }
}

async fn sqlite_row(tasks: usize, bookings: usize, contended: bool) -> Row {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Arc::new(SqliteStore::open(dir.path().join("clinic.db")).expect("open the SQLite store"));
    if contended {
        return measure_contended(store, "sqlite").await;
    }
    let raw_store = store.clone();
    measure(
        store,
        "sqlite",
        tasks,
        bookings,
        move |a| {
            let s = raw_store.clone();
            async move { s.raw_insert_appointment(&a).await }
        },
        None,
    )
    .await
}

async fn mongo_row(server: &TestMongo, name: &'static str, tasks: usize, bookings: usize, contended: bool) -> Row {
    let store = Arc::new(server.fresh_store("throughput").await.expect("a store on the test server"));
    if contended {
        return measure_contended(store, name).await;
    }
    let raw_store: Arc<MongoStore> = store.clone();
    let counted = raw_store.clone();
    let count = move || counted.commands_by_name();
    measure(
        store,
        name,
        tasks,
        bookings,
        move |a| {
            let s = raw_store.clone();
            async move { s.raw_insert_appointment(&a).await }
        },
        Some(&count),
    )
    .await
}

/// Where one booking's time goes: `n` bookings one after another on a fresh store, and before each the store
/// calls `create_appointment` makes, each timed alone (the use case runs some of them concurrently), next to
/// the raw insert. Milliseconds per call, averaged. With `commands` (the store's count of commands sent, by
/// command and collection), also the server round trips one booking and one raw insert take, and which.
async fn breakdown<S, R, Fut>(store: Arc<S>, name: &str, n: usize, raw: R, commands: Option<&dyn Fn() -> Counts>)
where
    S: Store + ?Sized + 'static,
    R: Fn(Appointment) -> Fut,
    Fut: std::future::Future<Output = Result<(), ClinicError>>,
{
    let c = ThroughputClinic::seed(store.clone(), patients_needed(1, n)).await.expect("seed the clinic");
    let plan = c.plan(1, n).remove(0);
    let sch = bench_scheduler(store.clone());
    let actor = clinic_core::rbac::Actor::system();
    let mut totals: Vec<(&str, f64)> = Vec::new();
    let mut add = |name: &'static str, t: Instant| match totals.iter_mut().find(|(k, _)| *k == name) {
        Some((_, v)) => *v += t.elapsed().as_secs_f64() * 1e3,
        None => totals.push((name, t.elapsed().as_secs_f64() * 1e3)),
    };
    let raws = c.raw_appointments(n).expect("raw appointments");
    let (mut booking_commands, mut raw_commands) = (0, 0);
    let mut booking_by_name = Counts::new();
    let by_name = || commands.map_or_else(Counts::new, |f| f());
    let sent = || by_name().iter().filter(|(k, _)| !k.ends_with(" µs")).map(|(_, v)| v).sum::<u64>();
    for (cmd, raw_doc) in plan.into_iter().zip(raws) {
        let r = cmd.request.clone();
        let keys = clinic_core::usecases::guard_keys(&r, &c.appointment_type);
        let window = |f: AppointmentFilter| AppointmentFilter {
            clinic_id: Some(c.clinic.id()),
            from: Some(r.start - Duration::hours(5)),
            to: Some(r.start + Duration::hours(5)),
            statuses: vec![AppointmentStatus::Proposed, AppointmentStatus::Booked, AppointmentStatus::Arrived],
            ..f
        };
        let t = Instant::now();
        store.get_patient(r.patient_id).await.expect("read");
        add("get_patient", t);
        let t = Instant::now();
        store.get_appointment_type(r.appointment_type_id).await.expect("read");
        add("get_appointment_type", t);
        let t = Instant::now();
        store.guard_versions(&keys).await.expect("read");
        add("guard_versions (2 keys)", t);
        let t = Instant::now();
        store.get_clinic(c.clinic.id()).await.expect("read");
        add("get_clinic", t);
        let t = Instant::now();
        store.get_practitioner(r.practitioner_id).await.expect("read");
        add("get_practitioner", t);
        let t = Instant::now();
        store.list_schedules(c.clinic.id()).await.expect("read");
        add("list_schedules (all 32; not in the path)", t);
        let t = Instant::now();
        store
            .list_resource_schedules(c.clinic.id(), clinic_core::ResourceRef::Practitioner(r.practitioner_id))
            .await
            .expect("read");
        add("list_resource_schedules (1)", t);
        let t = Instant::now();
        store
            .list_appointments(&window(AppointmentFilter {
                practitioner_id: Some(r.practitioner_id),
                ..Default::default()
            }))
            .await
            .expect("read");
        add("list_appointments (practitioner)", t);
        let t = Instant::now();
        store
            .list_appointments(&window(AppointmentFilter { patient_id: Some(r.patient_id), ..Default::default() }))
            .await
            .expect("read");
        add("list_appointments (patient)", t);
        let (t, before) = (Instant::now(), by_name());
        sch.create_appointment(&actor, cmd).await.expect("booking");
        add("= create_appointment (whole booking)", t);
        for (k, v) in by_name() {
            let d = v - before.get(&k).copied().unwrap_or(0);
            if !k.ends_with(" µs") {
                booking_commands += d;
            }
            *booking_by_name.entry(k).or_default() += d;
        }
        let (t, before) = (Instant::now(), sent());
        raw(raw_doc).await.expect("raw insert");
        add("raw insert", t);
        raw_commands += sent() - before;
    }
    println!("\n{name}: where one booking's time goes (1 task, {n} bookings, ms per call)");
    for (k, v) in totals {
        println!("  {k:<42} {:>8.3}", v / n as f64);
    }
    if commands.is_some() {
        println!(
            "  server round trips: {:.1} per booking, {:.1} per raw insert",
            booking_commands as f64 / n as f64,
            raw_commands as f64 / n as f64
        );
        for (k, v) in booking_by_name.iter().filter(|(k, v)| **v > 0 && !k.ends_with(" µs")) {
            let us = booking_by_name.get(&format!("{k} µs")).copied().unwrap_or(0);
            println!(
                "    {k:<40} {:>6.2} per booking, {:>6.3} ms per booking",
                *v as f64 / n as f64,
                us as f64 / 1e3 / n as f64
            );
        }
    }
}

/// Commands sent, by command name and collection.
type Counts = std::collections::BTreeMap<String, u64>;

fn print_rows(rows: &[Row]) {
    println!(
        "{:<9} {:<9} {:>5} {:>8} {:>8} {:>11} {:>9} {:>6} {:>11}",
        "store", "variant", "tasks", "requests", "booked", "bookings/s", "raw/s", "ratio", "decided/s"
    );
    for r in rows {
        let raw = r.raw.as_ref().map_or("-".to_string(), |x| format!("{:.1}", x.rate()));
        let ratio = r.ratio().map_or("-".to_string(), |x| format!("{x:.2}"));
        println!(
            "{:<9} {:<9} {:>5} {:>8} {:>8} {:>11.1} {:>9} {:>6} {:>11.1}",
            r.store,
            r.variant,
            r.tasks,
            r.bookings,
            r.booked.succeeded,
            r.booked.rate(),
            raw,
            ratio,
            r.booked.attempted as f64 / r.booked.elapsed.as_secs_f64().max(1e-9)
        );
    }
}

fn print_summary(runs: &[Vec<Row>]) {
    println!("\nsummary over {} runs: median [min – max]", runs.len());
    println!("{:<9} {:<9} {:>5} {:>24} {:>24} {:>20}", "store", "variant", "tasks", "bookings/s", "raw/s", "ratio");
    let span = |xs: &[f64], prec: usize| {
        let (lo, hi) = xs.iter().fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
        format!("{:.p$} [{:.p$} – {:.p$}]", median(xs), lo, hi, p = prec)
    };
    for (i, r) in runs[0].iter().enumerate() {
        let rows: Vec<&Row> = runs.iter().filter_map(|run| run.get(i)).collect();
        let booked: Vec<f64> = rows.iter().map(|r| r.booked.rate()).collect();
        let raw: Vec<f64> = rows.iter().filter_map(|r| r.raw.as_ref().map(Run::rate)).collect();
        let ratio: Vec<f64> = rows.iter().filter_map(|r| r.ratio()).collect();
        let or_dash = |xs: &[f64], p| if xs.is_empty() { "-".to_string() } else { span(xs, p) };
        println!(
            "{:<9} {:<9} {:>5} {:>24} {:>24} {:>20}",
            r.store,
            r.variant,
            r.tasks,
            span(&booked, 1),
            or_dash(&raw, 1),
            or_dash(&ratio, 2)
        );
    }
}

async fn bench(full: bool) {
    let runs = if full { env_usize("STORE_BENCH_RUNS", 1).max(1) } else { 1 };
    let stores = std::env::var("STORE_BENCH_STORES").unwrap_or_else(|_| "sqlite,mongo".into());
    let want = |s: &str| stores.split(',').any(|x| x.trim().eq_ignore_ascii_case(s));
    let (sqlite_n, mongo_n) = if full {
        (env_usize("STORE_BENCH_SQLITE_BOOKINGS", 1000), env_usize("STORE_BENCH_MONGO_BOOKINGS", 256))
    } else {
        (16, 8)
    };
    let tasks: &[usize] = if full { &TASKS } else { &TASKS[..2] };
    let server = if want("mongo") {
        let t = Instant::now();
        let s = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB/FerretDB to measure: {e}"));
        eprintln!("test server {} ready in {:.1?}", s.uri(), t.elapsed());
        Some(s)
    } else {
        None
    };
    let mongo_name = if server.as_ref().is_some_and(TestMongo::is_ferretdb) { "ferretdb" } else { "mongodb" };
    let mut all = Vec::new();
    // `STORE_BENCH_TABLE=0`: the breakdown alone (how many commands a booking sends, and which).
    let runs = if std::env::var("STORE_BENCH_TABLE").is_ok_and(|v| v == "0") { 0 } else { runs };
    for run in 0..runs {
        let mut rows = Vec::new();
        if want("sqlite") {
            for &t in tasks {
                rows.push(sqlite_row(t, sqlite_n, false).await);
            }
            if full {
                rows.push(sqlite_row(0, 0, true).await);
            }
        }
        if let Some(s) = &server {
            for &t in tasks {
                rows.push(mongo_row(s, mongo_name, t, mongo_n, false).await);
            }
            if full {
                rows.push(mongo_row(s, mongo_name, 0, 0, true).await);
            }
            s.drop_databases().await;
        }
        if full {
            println!("\nrun {} of {runs}", run + 1);
        }
        print_rows(&rows);
        all.push(rows);
    }
    if all.len() > 1 {
        print_summary(&all);
    }
    if full && std::env::var("STORE_BENCH_BREAKDOWN").map_or(true, |v| v != "0") {
        if want("sqlite") {
            let dir = tempfile::tempdir().expect("temporary directory");
            let store = Arc::new(SqliteStore::open(dir.path().join("clinic.db")).expect("open the SQLite store"));
            let s = store.clone();
            breakdown(
                store,
                "sqlite",
                200,
                move |a| {
                    let s = s.clone();
                    async move { s.raw_insert_appointment(&a).await }
                },
                None,
            )
            .await;
        }
        if let Some(server) = &server {
            let store = Arc::new(server.fresh_store("breakdown").await.expect("a store on the test server"));
            let s = store.clone();
            let counted = store.clone();
            let count = move || counted.commands_by_name();
            breakdown(
                store,
                mongo_name,
                64,
                move |a| {
                    let s = s.clone();
                    async move { s.raw_insert_appointment(&a).await }
                },
                Some(&count),
            )
            .await;
            server.drop_databases().await;
        }
    }
}

fn main() {
    let full = std::env::args().skip(1).any(|a| a == "--bench");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let t = Instant::now();
    rt.block_on(bench(full));
    if !full {
        eprintln!("store_throughput smoke run passed in {:.1?} (cargo bench measures)", t.elapsed());
    }
}
