//! Every route × every role: the allowed get 2xx, the forbidden 403, and objects a role may not know about
//! 404. Unauthenticated calls to every protected route get 401. All mismatches are reported at once.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const ROLES: [&str; 4] = ["admin", "scheduler", "practitioner", "patient"];

/// Slots of practitioner `pr` at least an hour apart (so bookings never collide).
async fn slot_pool(app: &TestApp, pr: usize) -> Vec<String> {
    let all = app.free_slots(pr, 2000).await;
    let mut out: Vec<String> = Vec::new();
    let mut last: Option<chrono::DateTime<chrono::Utc>> = None;
    for s in all {
        let t: chrono::DateTime<chrono::Utc> = s.parse().unwrap();
        if last.is_none_or(|l| t - l >= chrono::Duration::minutes(60)) {
            out.push(s);
            last = Some(t);
        }
    }
    out
}

struct Ctx {
    vars: Vec<(&'static str, String)>,
    pool0: Vec<String>,
    pool1: Vec<String>,
}

impl Ctx {
    fn fill(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (k, v) in &self.vars {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }
}

async fn book(app: &TestApp, ctx: &mut Ctx, patient: usize, pr: usize) -> String {
    let slot = if pr == 0 { ctx.pool0.pop() } else { ctx.pool1.pop() }.expect("slot pool exhausted");
    let (s, a) = app.post("/api/v1/appointments", "admin", app.booking(patient, pr, &slot)).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_string()
}

fn schedule_body(app: &TestApp, pr: usize) -> Value {
    json!({
        "resource": {"kind": "practitioner", "id": app.ids.practitioners[pr].to_string()},
        "weekly_hours": [{"weekday": "Sat", "start": "09:00:00", "end": "10:00:00"}],
        "valid_from": "2027-01-01",
        "valid_until": "2027-02-01",
    })
}

#[tokio::test]
async fn every_route_every_role() {
    let app = spawn_app().await;
    let ids = &app.ids;
    let (_, scheds) = app.get(&format!("/api/v1/clinics/{}/schedules", ids.clinic), "admin").await;
    let sched_of = |pr: usize| {
        scheds.as_array().unwrap().iter().find(|s| s["resource"]["id"] == ids.practitioners[pr].to_string()).unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut ctx = Ctx {
        vars: vec![
            ("c", ids.clinic.to_string()),
            ("p0", ids.practitioners[0].to_string()),
            ("p1", ids.practitioners[1].to_string()),
            ("pat0", ids.patients[0].to_string()),
            ("pat1", ids.patients[1].to_string()),
            ("r0", ids.rooms[0].to_string()),
            ("t0", ids.types[0].to_string()),
            ("s0", sched_of(0)),
            ("s1", sched_of(1)),
        ],
        pool0: slot_pool(&app, 0).await,
        pool1: slot_pool(&app, 1).await,
    };
    let own = book(&app, &mut ctx, 0, 0).await;
    let other = book(&app, &mut ctx, 1, 1).await;
    ctx.vars.push(("a_own", own));
    ctx.vars.push(("a_other", other));
    let from = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT00:00:00Z").to_string();
    let to = (chrono::Utc::now() + chrono::Duration::days(8)).format("%Y-%m-%dT00:00:00Z").to_string();
    ctx.vars.push(("from", from));
    ctx.vars.push(("to", to));
    let today = chrono::Utc::now().date_naive();
    ctx.vars.push(("d0", today.to_string()));
    ctx.vars.push(("d1", (today + chrono::Duration::days(7)).to_string()));
    // An account the user routes act on (never one whose token the test uses).
    let (s, u) = app
        .post(
            "/api/v1/users",
            "admin",
            json!({"username": "rbac.target", "password": "target-pass-2026", "role": "scheduler"}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    ctx.vars.push(("u0", u["id"].as_str().unwrap().to_string()));

    let clinic_body = json!({"name": "Elsewhere", "time_zone": "Europe/Paris"});
    let person = json!({"name": "Dr. New"});
    let room = json!({"name": "Room X"});
    let ty = json!({"name": "Long", "duration_minutes": 60});
    let patient = json!({"given_name": "Pat", "family_name": "Ient"});
    let patient_self = json!({"given_name": "Ada", "family_name": "Lovelace", "mrn": "MRN-1001"});

    // (method, path, body, [admin, scheduler, practitioner, patient]). `{fresh_*}` are made anew per call.
    type Row = (Method, &'static str, Option<Value>, [u16; 4]);
    let rows: Vec<Row> = vec![
        (Method::GET, "/api/v1/auth/me", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/clinics", None, [200, 200, 200, 200]),
        (Method::POST, "/api/v1/clinics", Some(clinic_body.clone()), [201, 403, 403, 403]),
        (Method::GET, "/api/v1/clinics/{c}", None, [200, 200, 200, 200]),
        (
            Method::PUT,
            "/api/v1/clinics/{c}",
            Some(json!({"name": "Riverside Family Practice", "time_zone": "Europe/London"})),
            [200, 403, 403, 403],
        ),
        (Method::GET, "/api/v1/clinics/{c}/practitioners", None, [200, 200, 200, 200]),
        (Method::POST, "/api/v1/clinics/{c}/practitioners", Some(person.clone()), [201, 403, 403, 403]),
        (Method::GET, "/api/v1/practitioners/{p0}", None, [200, 200, 200, 200]),
        (Method::PUT, "/api/v1/practitioners/{p1}", Some(json!({"name": "Dr. Lucas Brandt"})), [200, 403, 403, 403]),
        (Method::GET, "/api/v1/clinics/{c}/rooms", None, [200, 200, 200, 200]),
        (Method::POST, "/api/v1/clinics/{c}/rooms", Some(room.clone()), [201, 403, 403, 403]),
        (Method::PUT, "/api/v1/rooms/{r0}", Some(json!({"name": "Room 1"})), [200, 403, 403, 403]),
        (Method::GET, "/api/v1/clinics/{c}/appointment-types", None, [200, 200, 200, 200]),
        (Method::POST, "/api/v1/clinics/{c}/appointment-types", Some(ty.clone()), [201, 403, 403, 403]),
        (
            Method::PUT,
            "/api/v1/appointment-types/{t0}",
            Some(
                json!({"name": "Consultation", "duration_minutes": 20, "buffer_after_minutes": 5, "min_notice_minutes": 30, "max_horizon_days": 120}),
            ),
            [200, 403, 403, 403],
        ),
        (Method::GET, "/api/v1/clinics/{c}/schedules", None, [200, 200, 200, 403]),
        (Method::POST, "/api/v1/clinics/{c}/schedules", Some(schedule_body(&app, 0)), [201, 201, 201, 403]),
        (Method::POST, "/api/v1/clinics/{c}/schedules", Some(schedule_body(&app, 1)), [201, 201, 403, 403]),
        (Method::GET, "/api/v1/schedules/{s0}", None, [200, 200, 200, 404]),
        (Method::GET, "/api/v1/schedules/{s1}", None, [200, 200, 404, 404]),
        (Method::PUT, "/api/v1/schedules/{fresh_sched0}", Some(schedule_body(&app, 0)), [200, 200, 200, 404]),
        (Method::PUT, "/api/v1/schedules/{fresh_sched1}", Some(schedule_body(&app, 1)), [200, 200, 404, 404]),
        (Method::DELETE, "/api/v1/schedules/{fresh_sched0}", None, [204, 204, 204, 404]),
        (Method::DELETE, "/api/v1/schedules/{fresh_sched1}", None, [204, 204, 404, 404]),
        (Method::GET, "/api/v1/clinics/{c}/patients", None, [200, 200, 403, 403]),
        (Method::POST, "/api/v1/clinics/{c}/patients", Some(patient.clone()), [201, 201, 403, 403]),
        (Method::GET, "/api/v1/patients/{pat0}", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/patients/{pat1}", None, [200, 200, 404, 404]),
        (Method::PUT, "/api/v1/patients/{pat0}", Some(patient_self.clone()), [200, 200, 403, 200]),
        (
            Method::PUT,
            "/api/v1/patients/{pat1}",
            Some(json!({"given_name": "Alan", "family_name": "Turing", "mrn": "MRN-1002"})),
            [200, 200, 404, 404],
        ),
        (Method::POST, "/api/v1/appointments", Some(json!("{book_own}")), [201, 201, 201, 201]),
        (Method::POST, "/api/v1/appointments", Some(json!("{book_other}")), [201, 201, 403, 403]),
        (Method::GET, "/api/v1/appointments", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/appointments/{a_own}", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/appointments/{a_other}", None, [200, 200, 404, 404]),
        (Method::POST, "/api/v1/appointments/{fresh_own}/reschedule", Some(json!("{move_own}")), [200, 200, 200, 200]),
        (
            Method::POST,
            "/api/v1/appointments/{fresh_other}/reschedule",
            Some(json!("{move_other}")),
            [200, 200, 404, 404],
        ),
        (Method::POST, "/api/v1/appointments/{fresh_own}/cancel", Some(json!({})), [200, 200, 200, 200]),
        (Method::POST, "/api/v1/appointments/{fresh_other}/cancel", Some(json!({})), [200, 200, 404, 404]),
        (
            Method::POST,
            "/api/v1/appointments/{fresh_own}/status",
            Some(json!({"status": "noshow"})),
            [200, 200, 200, 403],
        ),
        (
            Method::POST,
            "/api/v1/appointments/{fresh_other}/status",
            Some(json!({"status": "noshow"})),
            [200, 200, 404, 404],
        ),
        (
            Method::GET,
            "/api/v1/clinics/{c}/availability?appointment_type_id={t0}&from={from}&to={to}&limit=5",
            None,
            [200, 200, 200, 200],
        ),
        (Method::GET, "/api/v1/clinics/{c}/reports?from={d0}&to={d1}", None, [200, 200, 200, 403]),
        (
            Method::GET,
            "/api/v1/clinics/{c}/reports?from={d0}&to={d1}&practitioner_ids={p1}",
            None,
            [200, 200, 403, 403],
        ),
        (Method::POST, "/api/v1/clinics/{c}/imports/patients", None, [200, 200, 403, 403]),
        (Method::GET, "/api/v1/practitioners/{p0}/calendar.ics?from={from}&to={to}", None, [200, 200, 200, 403]),
        (Method::GET, "/api/v1/practitioners/{p1}/calendar.ics?from={from}&to={to}", None, [200, 200, 403, 403]),
        (Method::GET, "/api/v1/patients/{pat0}/calendar.ics?from={from}&to={to}", None, [200, 200, 404, 200]),
        (Method::GET, "/api/v1/patients/{pat1}/calendar.ics?from={from}&to={to}", None, [200, 200, 404, 404]),
        (Method::GET, "/api/v1/fhir/Patient/{pat0}", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/fhir/Patient/{pat1}", None, [200, 200, 404, 404]),
        (Method::GET, "/api/v1/fhir/Appointment/{a_own}", None, [200, 200, 200, 200]),
        (Method::GET, "/api/v1/fhir/Appointment/{a_other}", None, [200, 200, 404, 404]),
        (Method::GET, "/api/v1/fhir/Schedule/{s0}", None, [200, 200, 200, 404]),
        (
            Method::GET,
            "/api/v1/fhir/Slot?clinic_id={c}&appointment_type_id={t0}&from={from}&to={to}",
            None,
            [200, 200, 200, 200],
        ),
        (Method::GET, "/api/v1/users", None, [200, 403, 403, 403]),
        (
            Method::POST,
            "/api/v1/users",
            Some(json!({"username": "rbac.new", "password": "new-user-pass-2026", "role": "scheduler"})),
            [201, 403, 403, 403],
        ),
        (Method::GET, "/api/v1/users/{u0}", None, [200, 403, 403, 403]),
        (
            Method::PUT,
            "/api/v1/users/{u0}",
            Some(json!({"role": "scheduler", "disabled": false})),
            [200, 403, 403, 403],
        ),
        (
            Method::POST,
            "/api/v1/users/{u0}/password",
            Some(json!({"password": "reset-pass-2026"})),
            [204, 403, 403, 403],
        ),
    ];

    let mut failures = Vec::new();
    let mut unauth_checked = 0;
    for (method, template, body, expected) in &rows {
        for (ri, role) in ROLES.iter().enumerate() {
            // Fresh objects for destructive calls.
            let mut path = template.to_string();
            if path.contains("{fresh_sched0}") || path.contains("{fresh_sched1}") {
                let pr = usize::from(path.contains("{fresh_sched1}"));
                let (s, v) =
                    app.post(&ctx.fill("/api/v1/clinics/{c}/schedules"), "admin", schedule_body(&app, pr)).await;
                assert_eq!(s, 201, "{v}");
                path = path.replace(&format!("{{fresh_sched{pr}}}"), v["id"].as_str().unwrap());
            }
            if path.contains("{fresh_own}") {
                let id = book(&app, &mut ctx, 0, 0).await;
                path = path.replace("{fresh_own}", &id);
            }
            if path.contains("{fresh_other}") {
                let id = book(&app, &mut ctx, 1, 1).await;
                path = path.replace("{fresh_other}", &id);
            }
            let path = ctx.fill(&path);
            let body = match body.as_ref().and_then(|b| b.as_str()) {
                Some("{book_own}") => Some(app.booking(0, 0, &ctx.pool0.pop().unwrap())),
                Some("{book_other}") => Some(app.booking(1, 1, &ctx.pool1.pop().unwrap())),
                Some("{move_own}") => Some(json!({"start": ctx.pool0.pop().unwrap()})),
                Some("{move_other}") => Some(json!({"start": ctx.pool1.pop().unwrap()})),
                _ => body.clone(),
            };
            let mut req = app.req(method.clone(), &path, Some(role));
            if template.contains("/imports/") {
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(b"given_name,family_name\nZed,Zulu\n".to_vec()).file_name("p.csv"),
                );
                req = req.multipart(form);
            } else if let Some(b) = &body {
                req = req.json(b);
            }
            let (status, v) = json_of(req.send().await.unwrap()).await;
            if status != expected[ri] {
                failures.push(format!("{method} {template} as {role}: {status} (expected {}) {v}", expected[ri]));
            }
            if status >= 400 {
                let code = v["code"].as_str().unwrap_or("");
                let want = match status {
                    403 => "FORBIDDEN",
                    404 => "NOT_FOUND",
                    _ => code,
                };
                if code != want {
                    failures.push(format!("{method} {template} as {role}: {status} with code {code:?}"));
                }
            }
        }
        // Without a token: 401.
        if !template.starts_with("/api/v1/auth/login") {
            let path = ctx.fill(
                &template
                    .replace("{fresh_sched0}", "{s0}")
                    .replace("{fresh_sched1}", "{s1}")
                    .replace("{fresh_own}", "{a_own}")
                    .replace("{fresh_other}", "{a_other}"),
            );
            let mut req = app.req(method.clone(), &path, None);
            if let Some(b) = body.as_ref().filter(|b| !b.is_string()) {
                req = req.json(b);
            }
            let (status, v) = json_of(req.send().await.unwrap()).await;
            if status != 401 || v["code"] != "UNAUTHENTICATED" {
                failures.push(format!("{method} {template} without a token: {status} {v}"));
            }
            unauth_checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(unauth_checked, rows.len());
    app.stop().await;
}
