//! The multi-instance case: two OS processes book against one database at once.
//!
//! `two_processes_book_against_one_database` seeds a clinic, then starts this test binary twice more, each
//! running only `booker_process` with `CLINIC_MONGO_BOOKER` set. Each booker connects its own `MongoStore` and,
//! in three phases that both processes start together (a barrier in the database), races 8 tasks against the
//! other process's 8: one practitioner and pairwise-overlapping slots (1 booking may win), one patient at one
//! time with other practitioners (1 may win), and a group session of capacity 3 (3 may win). Afterwards the
//! parent checks that no two active appointments overlap where the rules forbid it and that exactly 5 exist.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::doc;
use chrono::{DateTime, Utc};
use clinic_core::ports::*;
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::*;
use clinic_mongo::test_support::TestMongo;
use clinic_mongo::MongoStore;
use serde::{Deserialize, Serialize};

const ROLE_ENV: &str = "CLINIC_MONGO_BOOKER";
const TASKS: usize = 8;
const PROCESSES: usize = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Plan {
    uri: String,
    db: String,
    process: usize,
    clinic: ClinicId,
    practitioners: Vec<PractitionerId>,
    individual: AppointmentTypeId,
    group: AppointmentTypeId,
    patients: Vec<PatientId>,
    now: DateTime<Utc>,
    /// 09:00 on the booking day.
    nine: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Report {
    won: Vec<AppointmentId>,
    lost: Vec<String>,
}

fn cmd(
    plan: &Plan,
    patient: usize,
    practitioner: usize,
    ty: AppointmentTypeId,
    start: DateTime<Utc>,
) -> CreateAppointment {
    CreateAppointment {
        clinic_id: plan.clinic,
        request: BookingRequest {
            patient_id: plan.patients[patient],
            practitioner_id: plan.practitioners[practitioner],
            room_id: None,
            appointment_type_id: ty,
            start,
            overbook: false,
            reschedule_of: None,
        },
        proposed: false,
        reason: None,
        notes: None,
    }
}

/// Waits until every process has arrived at `phase` (a counter document both increment).
async fn barrier(store: &MongoStore, phase: u32) {
    let coll = store.database().collection::<bson::Document>("test_barrier");
    coll.insert_one(doc! { "phase": phase, "at": bson::DateTime::now() }).await.expect("barrier write");
    let deadline = Instant::now() + Duration::from_secs(120);
    while coll.count_documents(doc! { "phase": phase }).await.expect("barrier read") < PROCESSES as u64 {
        assert!(Instant::now() < deadline, "the other booker process never reached phase {phase}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn book(plan: Plan) -> Report {
    let store = Arc::new(MongoStore::connect(&plan.uri, &plan.db).await.expect("booker connects"));
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(plan.now)));
    let base = plan.process * TASKS;
    let minutes = |m: i64| chrono::Duration::minutes(m);
    // (patient, practitioner, type, start) per task, per phase.
    type Task = (usize, usize, AppointmentTypeId, DateTime<Utc>);
    let phases: Vec<Vec<Task>> = vec![
        // One practitioner, 09:00–09:20 starts of 30-minute slots: pairwise overlapping; distinct patients.
        (0..TASKS).map(|i| (base + i, 0, plan.individual, plan.nine + minutes(((base + i) % 5) as i64 * 5))).collect(),
        // One patient (the last), 14:00 with practitioners 1 and 2.
        (0..TASKS)
            .map(|i| {
                (
                    plan.patients.len() - 1,
                    1 + (base + i) % 2,
                    plan.individual,
                    plan.nine + minutes(5 * 60 + ((base + i) / 2 % 3) as i64 * 5),
                )
            })
            .collect(),
        // The group session at 16:00 with practitioner 1: capacity 3.
        (0..TASKS).map(|i| (base + i, 1, plan.group, plan.nine + minutes(7 * 60))).collect(),
    ];
    let mut report = Report::default();
    for (n, phase) in phases.into_iter().enumerate() {
        barrier(&store, n as u32).await;
        let tasks: Vec<_> = phase
            .into_iter()
            .map(|(pat, prac, ty, start)| {
                let sch = sch.clone();
                let c = cmd(&plan, pat, prac, ty, start);
                tokio::spawn(async move { sch.create_appointment(&Actor::system(), c).await })
            })
            .collect();
        for t in tasks {
            match t.await.expect("booking task panicked") {
                Ok(a) => report.won.push(a.id()),
                Err(e) => {
                    let allowed = [
                        ErrorCode::SlotConflictPractitioner,
                        ErrorCode::PatientDoubleBooked,
                        ErrorCode::GroupSessionFull,
                        ErrorCode::ConcurrentModification,
                    ];
                    assert!(allowed.contains(&e.code()), "booker {} failed with {} ({e})", plan.process, e.code());
                    report.lost.push(e.code().to_string());
                }
            }
        }
    }
    report
}

/// Runs only as a child of `two_processes_book_against_one_database` (does nothing otherwise).
#[test]
fn booker_process() {
    let Ok(plan) = std::env::var(ROLE_ENV) else { return };
    let plan: Plan = serde_json::from_str(&plan).expect("plan");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let report = rt.block_on(book(plan));
    println!("\nBOOKER-REPORT {}", serde_json::to_string(&report).unwrap());
}

fn overlaps(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_book_against_one_database() {
    let mongo = TestMongo::start().await.unwrap_or_else(|e| panic!("no MongoDB to test against: {e}"));
    let db = mongo.new_database("multi");
    let store = Arc::new(MongoStore::connect(mongo.uri(), &db).await.expect("connect"));
    let fx = seed(store.clone(), PROCESSES * TASKS + 1).await;
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|process| {
            let plan = Plan {
                uri: mongo.uri().to_string(),
                db: db.clone(),
                process,
                clinic: fx.clinic.id(),
                practitioners: fx.practitioners.iter().map(|p| p.id()).collect(),
                individual: fx.individual.id(),
                group: fx.group.id(),
                patients: fx.patients.iter().map(|p| p.id()).collect(),
                now: fx.now,
                nine: fx.at(9, 0),
            };
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "booker_process", "--nocapture", "--test-threads", "1"])
                .env(ROLE_ENV, serde_json::to_string(&plan).unwrap())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start a booker process")
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children.into_iter().map(|c| c.wait_with_output().expect("booker process")).collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let mut won = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "booker {i} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("BOOKER-REPORT ").map(|(_, r)| r))
            .unwrap_or_else(|| panic!("booker {i} printed no report:\n{stdout}"));
        let report: Report = serde_json::from_str(line).unwrap();
        eprintln!("booker {i}: won {}, lost {:?}", report.won.len(), report.lost);
        won.extend(report.won);
    }
    eprintln!("two booker processes finished in {:.1?}", started.elapsed());

    let active =
        common::active_of(&*store, AppointmentFilter { clinic_id: Some(fx.clinic.id()), ..Default::default() }).await;
    assert_eq!(active.len(), 1 + 1 + 3, "exactly the allowed bookings: 1 + 1 + group capacity 3");
    let mut stored: Vec<_> = active.iter().map(|a| a.id()).collect();
    stored.sort();
    won.sort();
    assert_eq!(stored, won, "every acknowledged booking is stored, and nothing else");
    for (i, a) in active.iter().enumerate() {
        for b in &active[i + 1..] {
            if a.practitioner_id() == b.practitioner_id() && overlaps(a.effective_minutes(), b.effective_minutes()) {
                let same_session = a.appointment_type_id() == fx.group.id()
                    && b.appointment_type_id() == fx.group.id()
                    && a.slot() == b.slot();
                assert!(same_session, "double booking of a practitioner: {a:?} and {b:?}");
            }
            let slot = |x: &Appointment| (x.slot().start_minute(), x.slot().end_minute());
            assert!(
                a.patient_id() != b.patient_id() || !overlaps(slot(a), slot(b)),
                "double booking of a patient: {a:?} and {b:?}"
            );
        }
    }
    let group = active.iter().filter(|a| a.appointment_type_id() == fx.group.id()).count();
    assert_eq!(group, fx.group.capacity() as usize, "the group session is exactly full");
    mongo.drop_databases().await;
}
