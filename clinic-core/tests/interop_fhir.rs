//! FHIR R4 mapping: exports validate against the official R4 JSON schema (checked by Python `jsonschema`,
//! an independent validator), domain → FHIR → domain round trips, the official example resources import, and
//! malformed input is answered with typed, located errors — never a panic.
//!
//! The official examples are committed under `tests/fixtures/fhir/` (see `SOURCE.md` there); the 3.3 MB
//! `fhir.schema.json` is fetched and hash-checked by `scripts/fhir-schema.sh` (run by `scripts/test-tools.sh`).

#[path = "tools/mod.rs"]
mod tools;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use clinic_core::error::ErrorCode;
use clinic_core::interop::fhir::{self, *};
use clinic_core::ports::{CatalogStore, FixedClock};
use clinic_core::rbac::{Actor, Role};
use clinic_core::testkit::{seed, Fixture};
use clinic_core::*;
use serde_json::{json, Value};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fhir")
}

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Validates each resource against `fhir.schema.json` (draft-06): the top-level `oneOf` of all resources, and
/// the resource's own definition for readable messages. Prints one list of error messages per resource.
const VALIDATE: &str = r##"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
top = jsonschema.Draft6Validator(schema)
out = []
for res in json.load(sys.stdin):
    own = jsonschema.Draft6Validator({"$ref": "#/definitions/" + str(res.get("resourceType")), "definitions": schema["definitions"]})
    errs = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in own.iter_errors(res)]
    if not top.is_valid(res):
        errs.append("not valid against the top-level schema")
    out.append(errs)
print(json.dumps(out))
"##;

fn schema_errors(resources: &[Value]) -> Vec<Vec<String>> {
    let schema = tools::fhir_schema();
    let input = serde_json::to_vec(resources).unwrap();
    let out = tools::run_python(VALIDATE, &[schema.to_str().unwrap()], &input);
    serde_json::from_slice(&out).expect("validator output")
}

fn assert_schema_valid(resources: &[Value]) {
    for (r, errs) in resources.iter().zip(schema_errors(resources)) {
        assert!(errs.is_empty(), "{} is not valid FHIR R4: {errs:#?}\n{r:#}", r["resourceType"]);
    }
}

fn field_errors(e: ClinicError) -> Vec<(ErrorCode, String)> {
    match e {
        ClinicError::Validation(v) => v.errors.into_iter().map(|e| (e.code, e.field)).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

struct World {
    fx: Fixture,
    sch: Scheduler<InMemoryStore>,
    clock: Arc<FixedClock>,
}

async fn world() -> World {
    let store = Arc::new(InMemoryStore::new());
    let fx = seed(store.clone(), 3).await;
    let clock = Arc::new(FixedClock::new(fx.now));
    let sch = Scheduler::new(store).with_clock(clock.clone());
    World { fx, sch, clock }
}

fn full_patient_input() -> PatientInput {
    PatientInput {
        mrn: Some("MRN-9001".into()),
        given_name: "Ada Augusta".into(),
        family_name: "King-Lovelace".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1915, 12, 10),
        sex: Sex::Female,
        contact: ContactInfo::new(Some("+44 20 7946 0958"), Some("ada@example.org"), None).unwrap(),
        address: Some(
            Address::new("12 St James's Sq", Some("Flat 2"), "London", Some("Greater London"), "SW1Y 4JH", "GB")
                .unwrap(),
        ),
        identifiers: vec![Identifier {
            system: "https://fhir.nhs.uk/Id/nhs-number".into(),
            value: "9434765919".into(),
        }],
        user_id: None,
    }
}

/// A booked appointment with room, reason and notes; a rescheduled one; a cancelled one with a reason; a
/// proposed one; a no-show.
async fn appointment_mix(w: &World) -> Vec<Appointment> {
    let admin = Actor::system();
    let fx = &w.fx;
    let mut a = fx.request(0, 0, &fx.individual, fx.at(9, 0));
    a.request.room_id = Some(fx.room.id());
    a.notes = Some("bring the X-ray; ask about \"allergies\"".into());
    let booked = w.sch.create_appointment(&admin, a).await.unwrap();
    let moved = w.sch.create_appointment(&admin, fx.request(1, 1, &fx.individual, fx.at(10, 0))).await.unwrap();
    w.clock.set(fx.now + Duration::hours(1));
    let moved = w
        .sch
        .reschedule_appointment(
            &admin,
            RescheduleAppointment {
                appointment_id: moved.id(),
                start: fx.at(11, 0),
                practitioner_id: Some(fx.practitioners[2].id()),
                room_id: None,
                overbook: false,
                expected_version: None,
            },
        )
        .await
        .unwrap();
    let c = w.sch.create_appointment(&admin, fx.request(2, 0, &fx.individual, fx.at(12, 0))).await.unwrap();
    let cancelled = w.sch.cancel_appointment(&admin, c.id(), Some("patient is travelling".into()), None).await.unwrap();
    let mut p = fx.request(2, 1, &fx.individual, fx.at(13, 0));
    p.proposed = true;
    p.reason = None;
    let proposed = w.sch.create_appointment(&admin, p).await.unwrap();
    let n = w.sch.create_appointment(&admin, fx.request(0, 2, &fx.individual, fx.at(14, 0))).await.unwrap();
    let noshow = w.sch.change_status(&admin, n.id(), AppointmentStatus::Noshow, None).await.unwrap();
    vec![booked, moved, cancelled, proposed, noshow]
}

#[tokio::test]
async fn exported_resources_validate_against_the_r4_schema() {
    let w = world().await;
    let admin = Actor::system();
    let fx = &w.fx;
    let full = w.sch.register_patient(&admin, fx.clinic.id(), full_patient_input()).await.unwrap();
    let mut resources = vec![
        w.sch.fhir_patient(&admin, full.id()).await.unwrap(),
        w.sch.fhir_patient(&admin, fx.patients[0].id()).await.unwrap(),
    ];
    for a in appointment_mix(&w).await {
        resources.push(w.sch.fhir_appointment(&admin, a.id()).await.unwrap());
        resources.push(appointment_to_fhir(&a, &AppointmentDisplay::default()));
    }
    for s in w.sch.store().list_schedules(fx.clinic.id()).await.unwrap() {
        resources.push(w.sch.fhir_schedule(&admin, s.id()).await.unwrap());
    }
    let q = SlotQuery {
        appointment_type_id: fx.individual.id(),
        practitioner_ids: vec![],
        from: fx.at(8, 0),
        to: fx.at(18, 0),
        patient_id: None,
        room_id: None,
        exclude: None,
        limit: Some(20),
    };
    let slots = w.sch.fhir_free_slots(&admin, fx.clinic.id(), &q).await.unwrap();
    let offers = w.sch.find_available_slots(&admin, fx.clinic.id(), &q).await.unwrap();
    assert_eq!(slots.len(), offers.len(), "every free offer becomes a Slot");
    for (s, o) in slots.iter().zip(&offers) {
        assert_eq!(s["status"], "free");
        assert_eq!(s["start"], fhir::instant(o.start));
        assert_eq!(s["end"], fhir::instant(o.end));
    }
    resources.extend(slots);

    // Busy slots of practitioner 0: the booked 09:00 (the cancelled 12:00 frees its time) and one slot for a
    // group session two patients share.
    for patient in [0, 1] {
        w.sch.create_appointment(&admin, fx.request(patient, 0, &fx.group, fx.at(15, 0))).await.unwrap();
    }
    let p0 = fx.practitioners[0].id();
    let busy = w.sch.fhir_busy_slots(&admin, p0, fx.at(0, 0), fx.at(23, 59)).await.unwrap();
    let times: Vec<(&str, &str, &str)> = busy
        .iter()
        .map(|s| (s["status"].as_str().unwrap(), s["start"].as_str().unwrap(), s["end"].as_str().unwrap()))
        .collect();
    let (i9, i930, i15, i16) = (
        fhir::instant(fx.at(9, 0)),
        fhir::instant(fx.at(9, 30)),
        fhir::instant(fx.at(15, 0)),
        fhir::instant(fx.at(16, 0)),
    );
    assert_eq!(times, [("busy", i9.as_str(), i930.as_str()), ("busy", i15.as_str(), i16.as_str())]);
    let other_doc =
        Actor::new(Role::Practitioner).with_clinic(fx.clinic.id()).as_practitioner(fx.practitioners[1].id());
    let refused = w.sch.fhir_busy_slots(&other_doc, p0, fx.at(0, 0), fx.at(23, 59)).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::Forbidden);
    resources.extend(busy);
    let ids: std::collections::HashSet<&str> =
        resources.iter().filter(|r| r["resourceType"] == "Slot").map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), resources.iter().filter(|r| r["resourceType"] == "Slot").count(), "slot ids are unique");
    assert_schema_valid(&resources);

    // The validator is not vacuous: the official examples pass and broken resources fail.
    let examples: Vec<Value> =
        ["Patient-example.json", "Appointment-example.json", "Schedule-example.json", "Slot-example.json"]
            .iter()
            .map(|n| example(n))
            .collect();
    assert_schema_valid(&examples);
    let mut bad_patient = resources[0].clone();
    bad_patient["gender"] = json!("robot");
    let mut bad_appt = resources[2].clone();
    bad_appt["status"] = json!("booked ");
    bad_appt["minutesDuration"] = json!("30");
    let mut bad_slot = resources.last().unwrap().clone();
    bad_slot["unknownElement"] = json!(1);
    for errs in schema_errors(&[bad_patient, bad_appt, bad_slot]) {
        assert!(!errs.is_empty());
    }
}

#[tokio::test]
async fn patient_round_trips_domain_fhir_domain() {
    let w = world().await;
    let admin = Actor::system();
    let full = w.sch.register_patient(&admin, w.fx.clinic.id(), full_patient_input()).await.unwrap();
    for p in [&full, &w.fx.patients[0], &w.fx.patients[2]] {
        let fhir = patient_to_fhir(p);
        let back = patient_from_fhir(&fhir, &ImportOptions::default()).unwrap();
        assert_eq!(back.id, Some(p.id()));
        assert_eq!(back.fhir_id.as_deref(), Some(p.id().to_string().as_str()));
        assert_eq!(&back.input, p.data(), "{fhir:#}");
    }
    let fhir = patient_to_fhir(&full);
    assert_eq!(fhir["identifier"][0]["value"], "MRN-9001");
    assert_eq!(fhir["identifier"][0]["system"], fhir::mrn_system(w.fx.clinic.id()));
    assert_eq!(fhir["name"][0]["given"], json!(["Ada", "Augusta"]));
    assert_eq!(
        fhir["telecom"],
        json!([{"system": "phone", "value": "+442079460958"}, {"system": "email", "value": "ada@example.org"}])
    );
    assert_eq!(fhir["address"][0]["line"], json!(["12 St James's Sq", "Flat 2"]));
    assert_eq!(fhir["birthDate"], "1915-12-10");
    assert_eq!(fhir["gender"], "female");
}

#[tokio::test]
async fn appointment_round_trips_domain_fhir_domain() {
    let w = world().await;
    let mix = appointment_mix(&w).await;
    assert_eq!(mix[1].reschedule_count(), 1);
    for a in &mix {
        let fhir = appointment_to_fhir(a, &AppointmentDisplay::default());
        let back = appointment_from_fhir(&fhir, &IdResolver).unwrap();
        assert_eq!(back, AppointmentImport::of(a), "{fhir:#}");
    }
    let cancelled = appointment_to_fhir(&mix[2], &AppointmentDisplay::default());
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelationReason"]["text"], "patient is travelling");
    let booked = appointment_to_fhir(&mix[0], &AppointmentDisplay::default());
    assert_eq!(booked["participant"].as_array().unwrap().len(), 3, "patient, practitioner, room");
    assert_eq!(booked["minutesDuration"], 30);
    assert_eq!(booked["reasonCode"][0]["text"], "check-up");
    assert_eq!(booked["comment"], "bring the X-ray; ask about \"allergies\"");
    assert_eq!(
        appointment_to_fhir(&mix[3], &AppointmentDisplay::default())["participant"][0]["status"],
        "needs-action"
    );
    assert_eq!(appointment_to_fhir(&mix[4], &AppointmentDisplay::default())["status"], "noshow");
    // The imported booking is the same request the engine would check.
    let imp = AppointmentImport::of(&mix[0]);
    let cmd = imp.create_command(w.fx.clinic.id()).unwrap();
    assert_eq!(cmd.request.start, mix[0].slot().start());
    assert_eq!(cmd.request.room_id, Some(w.fx.room.id()));
    let e = AppointmentImport::of(&mix[2]).create_command(w.fx.clinic.id()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidStatusTransition);
}

#[tokio::test]
async fn schedule_and_slot_round_trip() {
    let w = world().await;
    let s = &w.sch.store().list_schedules(w.fx.clinic.id()).await.unwrap()[0];
    let fhir = schedule_to_fhir(s, Some("Dr 0"));
    let back = schedule_from_fhir(&fhir, &IdResolver).unwrap();
    assert_eq!(back.id, Some(s.id()));
    assert_eq!(back.resource, s.resource());
    assert_eq!(back.valid_from, Some(s.input().valid_from));
    assert_eq!(back.valid_until, s.input().valid_until);
    let start = w.fx.at(9, 0);
    let ty = Some((w.fx.individual.id(), w.fx.individual.name()));
    let slot = slot_to_fhir(start, start + Duration::minutes(30), s.id(), SlotStatus::Free, ty);
    let back = slot_from_fhir(&slot, &IdResolver).unwrap();
    assert_eq!(
        (back.schedule_id, back.status, back.start, back.end, back.appointment_type_id),
        (s.id(), SlotStatus::Free, start, start + Duration::minutes(30), Some(w.fx.individual.id()))
    );
    let busy = slot_to_fhir(start, start + Duration::hours(20), s.id(), SlotStatus::BusyUnavailable, None);
    assert_eq!(slot_from_fhir(&busy, &IdResolver).unwrap().status, SlotStatus::BusyUnavailable);
    assert_schema_valid(&[fhir, slot, busy]);
}

/// The official examples reference foreign ids (`Patient/example`); a [`MapResolver`] maps them.
struct Foreign {
    resolver: MapResolver,
    patient: PatientId,
    practitioner: PractitionerId,
    room: RoomId,
    schedule: ScheduleId,
    ty: AppointmentType,
}

fn foreign() -> Foreign {
    let ty = AppointmentType::new(
        AppointmentTypeId::new(),
        ClinicId::new(),
        AppointmentTypeInput { name: "Follow-up".into(), duration_minutes: 120, ..Default::default() },
    )
    .unwrap();
    let (patient, practitioner, room, schedule) =
        (PatientId::new(), PractitionerId::new(), RoomId::new(), ScheduleId::new());
    let mut r = MapResolver::default();
    r.patients.insert("Patient/example".into(), patient);
    r.practitioners.insert("Practitioner/example".into(), practitioner);
    r.locations.insert("Location/1".into(), room);
    r.schedules.insert("Schedule/example".into(), schedule);
    r.appointment_types.insert("http://terminology.hl7.org/CodeSystem/v2-0276|FOLLOWUP".into(), ty.id());
    Foreign { resolver: r, patient, practitioner, room, schedule, ty }
}

#[test]
fn official_patient_example_imports_and_keeps_mapped_fields() {
    let ex = example("Patient-example.json");
    let opts = ImportOptions { default_region: Some("AU".into()), today: NaiveDate::from_ymd_opt(2026, 11, 26) };
    let imp = patient_from_fhir(&ex, &opts).unwrap();
    assert_eq!(imp.fhir_id.as_deref(), Some("example"));
    assert_eq!(imp.id, None, "a non-UUID id gets a new engine id on registration");
    let p = &imp.input;
    assert_eq!(p.mrn.as_deref(), Some("12345"));
    assert_eq!((p.given_name.as_str(), p.family_name.as_str()), ("Peter James", "Chalmers"));
    assert_eq!(p.sex, Sex::Male);
    assert_eq!(p.date_of_birth, NaiveDate::from_ymd_opt(1974, 12, 25));
    assert_eq!(p.contact.phone(), Some("+61355556473"), "first current phone, as E.164");
    let a = p.address.as_ref().unwrap();
    assert_eq!(
        (a.line1.as_str(), a.city.as_str(), a.region.as_deref()),
        ("534 Erewhon St", "PleasantVille", Some("Vic"))
    );
    assert_eq!((a.postal_code.as_str(), a.country.as_str()), ("3999", "AU"));
    // Without a default region the local phone number and the country-less address are typed errors.
    let errs = field_errors(patient_from_fhir(&ex, &ImportOptions::default()).unwrap_err());
    assert!(errs.contains(&(ErrorCode::InvalidPhone, "telecom[1].value".into())), "{errs:?}");
    assert!(errs.contains(&(ErrorCode::Required, "address[0].country".into())), "{errs:?}");

    // FHIR → domain → FHIR keeps what the engine maps.
    let patient = Patient::new(PatientId::new(), ClinicId::new(), imp.input.clone(), None).unwrap();
    let out = patient_to_fhir(&patient);
    assert_eq!(out["identifier"][0]["value"], ex["identifier"][0]["value"]);
    assert_eq!(out["identifier"][0]["type"]["coding"][0]["code"], "MR");
    assert_eq!(out["name"][0]["family"], ex["name"][0]["family"]);
    assert_eq!(out["name"][0]["given"], ex["name"][0]["given"]);
    assert_eq!(out["gender"], ex["gender"]);
    assert_eq!(out["birthDate"], ex["birthDate"]);
    for k in ["city", "state", "postalCode", "line"] {
        assert_eq!(out["address"][0][k], ex["address"][0][k], "{k}");
    }
    assert_schema_valid(&[out]);
}

#[test]
fn official_appointment_example_imports_and_keeps_mapped_fields() {
    let f = foreign();
    let ex = example("Appointment-example.json");
    let imp = appointment_from_fhir(&ex, &f.resolver).unwrap();
    assert_eq!(imp.fhir_id.as_deref(), Some("example"));
    assert_eq!(imp.status, AppointmentStatus::Booked);
    assert_eq!((imp.patient_id, imp.practitioner_id, imp.room_id), (f.patient, f.practitioner, Some(f.room)));
    assert_eq!(imp.appointment_type_id, f.ty.id());
    assert_eq!(imp.slot.start(), Utc.with_ymd_and_hms(2013, 12, 10, 9, 0, 0).unwrap());
    assert_eq!(imp.slot.minutes(), 120);
    assert_eq!(imp.reason.as_deref(), ex["description"].as_str(), "no reasonCode: description is the reason");
    assert_eq!(imp.notes.as_deref(), ex["comment"].as_str());

    // FHIR → domain → FHIR.
    let cmd = imp.create_command(f.ty.clinic_id()).unwrap();
    let spec = NewAppointment {
        clinic_id: cmd.clinic_id,
        patient_id: imp.patient_id,
        practitioner_id: imp.practitioner_id,
        room_id: imp.room_id,
        appointment_type_id: imp.appointment_type_id,
        slot: imp.slot,
        reason: imp.reason.clone(),
        notes: imp.notes.clone(),
    };
    let a = Appointment::new(AppointmentId::new(), spec, &f.ty, imp.status, false, Utc::now()).unwrap();
    let out = appointment_to_fhir(&a, &AppointmentDisplay::default());
    for k in ["status", "start", "end", "comment"] {
        assert_eq!(out[k], ex[k], "{k}");
    }
    assert_eq!(out["reasonCode"][0]["text"], ex["description"]);
    assert_eq!(out["minutesDuration"], 120);
    let refs: Vec<&str> =
        out["participant"].as_array().unwrap().iter().map(|p| p["actor"]["reference"].as_str().unwrap()).collect();
    assert_eq!(
        refs,
        [format!("Patient/{}", f.patient), format!("Practitioner/{}", f.practitioner), format!("Location/{}", f.room)]
    );
    assert_eq!(
        appointment_from_fhir(&out, &IdResolver).unwrap(),
        AppointmentImport { fhir_id: Some(a.id().to_string()), id: Some(a.id()), ..imp }
    );
    assert_schema_valid(&[out]);
}

#[test]
fn official_schedule_and_slot_examples_import() {
    let f = foreign();
    let s = schedule_from_fhir(&example("Schedule-example.json"), &f.resolver).unwrap();
    assert_eq!(s.resource, ResourceRef::Room(f.room), "the only actor is Location/1");
    assert_eq!(s.valid_from, NaiveDate::from_ymd_opt(2013, 12, 25));
    assert_eq!(s.valid_until, NaiveDate::from_ymd_opt(2013, 12, 25));
    assert!(s.active);
    let slot = slot_from_fhir(&example("Slot-example.json"), &f.resolver).unwrap();
    assert_eq!(slot.schedule_id, f.schedule);
    assert_eq!(slot.status, SlotStatus::Free);
    assert_eq!(slot.start, Utc.with_ymd_and_hms(2013, 12, 25, 9, 15, 0).unwrap());
    assert_eq!(slot.end, Utc.with_ymd_and_hms(2013, 12, 25, 9, 30, 0).unwrap());
    assert_eq!(slot.appointment_type_id, None, "WALKIN is not mapped to a type here");
    // Unmapped references are typed errors.
    let e = field_errors(schedule_from_fhir(&example("Schedule-example.json"), &IdResolver).unwrap_err());
    assert_eq!(e, [(ErrorCode::FhirUnresolvedReference, "actor[0].reference".to_string())]);
    let e = field_errors(slot_from_fhir(&example("Slot-example.json"), &IdResolver).unwrap_err());
    assert_eq!(e, [(ErrorCode::FhirUnresolvedReference, "schedule.reference".to_string())]);
}

#[test]
fn examples_the_engine_cannot_book_get_typed_errors() {
    let f = foreign();
    // A request without start and without a practitioner actor.
    let e = field_errors(appointment_from_fhir(&example("Appointment-examplereq.json"), &f.resolver).unwrap_err());
    assert!(e.contains(&(ErrorCode::Required, "participant".into())), "{e:?}");
    assert!(e.contains(&(ErrorCode::Required, "start".into())), "{e:?}");
    assert!(e.contains(&(ErrorCode::FhirUnresolvedReference, "appointmentType".into())), "WALKIN unmapped: {e:?}");
    // Two practitioners on one appointment.
    let e = field_errors(appointment_from_fhir(&example("Appointment-2docs.json"), &f.resolver).unwrap_err());
    assert!(e.contains(&(ErrorCode::FhirUnsupportedCode, "participant[2]".into())), "{e:?}");
    // Unmapped foreign references.
    let e = field_errors(appointment_from_fhir(&example("Appointment-example.json"), &IdResolver).unwrap_err());
    for path in ["participant[0].actor.reference", "participant[1].actor.reference", "participant[2].actor.reference"] {
        assert!(e.contains(&(ErrorCode::FhirUnresolvedReference, path.into())), "{path}: {e:?}");
    }
}

#[test]
fn malformed_input_gets_located_typed_errors() {
    let opts = ImportOptions::default();
    let cases: Vec<(Value, Vec<(ErrorCode, &str)>)> = vec![
        (json!([1, 2]), vec![(ErrorCode::InvalidJson, "")]),
        (json!({"resourceType": "Appointment"}), vec![(ErrorCode::FhirWrongResourceType, "resourceType")]),
        (json!({"name": []}), vec![(ErrorCode::FhirWrongResourceType, "resourceType")]),
        (json!({"resourceType": 7}), vec![(ErrorCode::FhirInvalidType, "resourceType")]),
        (json!({"resourceType": "Patient"}), vec![(ErrorCode::Required, "name")]),
        (
            json!({"resourceType": "Patient", "name": [{"given": "Ada", "family": 3}]}),
            vec![
                (ErrorCode::FhirInvalidType, "name[0].given"),
                (ErrorCode::Required, "name[0].given"),
                (ErrorCode::FhirInvalidType, "name[0].family"),
                (ErrorCode::Required, "name[0].family"),
            ],
        ),
        (
            json!({"resourceType": "Patient", "name": [{"given": ["Ada", ""], "family": "L"}], "gender": "robot", "birthDate": "1815-13-40",
                   "telecom": [{"system": "email", "value": "not-mail"}, {"system": "phone", "value": "12"}]}),
            vec![
                (ErrorCode::Required, "name[0].given[1]"),
                (ErrorCode::InvalidEmail, "telecom[0].value"),
                (ErrorCode::InvalidPhone, "telecom[1].value"),
                (ErrorCode::FhirUnsupportedCode, "gender"),
                (ErrorCode::InvalidDate, "birthDate"),
            ],
        ),
        (
            json!({"resourceType": "Patient", "name": [{"given": ["A"], "family": "B"}], "birthDate": "1974"}),
            vec![(ErrorCode::InvalidDate, "birthDate")],
        ),
        (
            json!({"resourceType": "Patient", "name": [{"given": ["A"], "family": "B"}], "birthDate": "2999-01-01", "identifier": {"value": "x"}}),
            vec![(ErrorCode::FhirInvalidType, "identifier")],
        ),
        (
            json!({"resourceType": "Patient", "name": [{"given": ["A"], "family": "B".repeat(101)}], "address": [{"line": ["1 Main"], "city": "X", "postalCode": "1", "country": "Narnia"}]}),
            vec![(ErrorCode::InvalidCountry, "address[0].country")],
        ),
        (
            json!({"resourceType": "Patient", "name": [{"given": ["A"], "family": "B".repeat(101)}]}),
            vec![(ErrorCode::TooLong, "name[0].family")],
        ),
    ];
    for (input, want) in cases {
        let got = field_errors(patient_from_fhir(&input, &opts).unwrap_err());
        let got: Vec<(ErrorCode, &str)> = got.iter().map(|(c, f)| (*c, f.as_str())).collect();
        assert_eq!(got, want, "{input}");
    }
    let future =
        json!({"resourceType": "Patient", "name": [{"given": ["A"], "family": "B"}], "birthDate": "2999-01-01"});
    let today = ImportOptions { today: NaiveDate::from_ymd_opt(2026, 1, 1), ..Default::default() };
    assert_eq!(
        field_errors(patient_from_fhir(&future, &today).unwrap_err()),
        [(ErrorCode::DateOfBirthInFuture, "birthDate".to_string())]
    );

    let p = PatientId::new();
    let d = PractitionerId::new();
    let ty = AppointmentTypeId::new();
    let base = json!({
        "resourceType": "Appointment", "status": "booked",
        "appointmentType": {"coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": ty.to_string()}]},
        "start": "2027-01-11T09:00:00Z", "end": "2027-01-11T09:30:00Z",
        "participant": [{"actor": {"reference": format!("Patient/{p}")}, "status": "accepted"},
                        {"actor": {"reference": format!("Practitioner/{d}")}, "status": "accepted"}]
    });
    assert!(appointment_from_fhir(&base, &IdResolver).is_ok());
    let with = |patch: Value| {
        let mut v = base.clone();
        for (k, val) in patch.as_object().unwrap() {
            v[k] = val.clone();
        }
        field_errors(appointment_from_fhir(&v, &IdResolver).unwrap_err())
    };
    let e = |c: ErrorCode, f: &str| vec![(c, f.to_string())];
    assert_eq!(with(json!({"status": "entered-in-error"})), e(ErrorCode::FhirUnsupportedCode, "status"));
    assert_eq!(with(json!({"status": 1})), e(ErrorCode::FhirInvalidType, "status"));
    assert_eq!(with(json!({"start": "2027-01-11 09:00"})), e(ErrorCode::InvalidDate, "start"));
    assert_eq!(with(json!({"end": "2027-01-11T08:00:00Z"})), e(ErrorCode::TimeSlotInverted, "end"));
    assert_eq!(with(json!({"end": "2027-01-11T09:30:30Z"})), e(ErrorCode::TimeSlotNotMinuteAligned, "start"));
    assert_eq!(with(json!({"minutesDuration": 45})), e(ErrorCode::InvalidDuration, "minutesDuration"));
    assert_eq!(with(json!({"minutesDuration": -5})), e(ErrorCode::FhirInvalidType, "minutesDuration"));
    assert_eq!(with(json!({"participant": {"actor": 1}})), e(ErrorCode::FhirInvalidType, "participant"));
    assert_eq!(with(json!({"participant": [{"actor": 1}]})), e(ErrorCode::FhirInvalidType, "participant[0].actor"));
    assert_eq!(
        with(json!({"participant": []})),
        [(ErrorCode::Required, "participant".to_string()), (ErrorCode::Required, "participant".to_string())]
    );
    assert_eq!(
        with(
            json!({"participant": [{"actor": {"reference": "Patient/nope"}}, {"actor": {"reference": format!("Practitioner/{d}")}}]})
        ),
        e(ErrorCode::FhirUnresolvedReference, "participant[0].actor.reference")
    );
    assert_eq!(
        with(json!({"appointmentType": {"coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": "x"}]}})),
        e(ErrorCode::FhirUnresolvedReference, "appointmentType")
    );
    assert_eq!(with(json!({"appointmentType": null})), e(ErrorCode::Required, "appointmentType"));
    assert_eq!(with(json!({"reasonCode": [{"text": "x".repeat(501)}]})), e(ErrorCode::TooLong, "reasonCode[0].text"));
    // minutesDuration may stand in for end.
    let mut no_end = base.clone();
    no_end.as_object_mut().unwrap().remove("end");
    no_end["minutesDuration"] = json!(30);
    assert_eq!(appointment_from_fhir(&no_end, &IdResolver).unwrap().slot.minutes(), 30);
    // Text that is not JSON.
    assert_eq!(fhir::parse_json("{\"resourceType\": ").unwrap_err().code(), ErrorCode::InvalidJson);
}

/// Every element of every example replaced by values of every JSON type: importers answer Ok or typed
/// errors, never panic.
#[test]
fn mutated_examples_never_panic() {
    fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| paths(c, [at.clone(), vec![k.clone()]].concat(), out)),
            Value::Array(a) => {
                a.iter().enumerate().for_each(|(i, c)| paths(c, [at.clone(), vec![i.to_string()]].concat(), out))
            }
            _ => {}
        }
    }
    fn set(v: &mut Value, at: &[String], new: Value) {
        match at.split_first() {
            None => *v = new,
            Some((k, rest)) => {
                let child = match v {
                    Value::Object(m) => m.get_mut(k),
                    Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
                    _ => None,
                };
                if let Some(c) = child {
                    set(c, rest, new);
                }
            }
        }
    }
    let f = foreign();
    let opts = ImportOptions { default_region: Some("AU".into()), today: None };
    let replacements = [
        json!(null),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(""),
        json!(" "),
        json!("x"),
        json!(true),
        json!([]),
        json!({}),
        json!([null]),
        json!("9999-99-99T99:99:99Z"),
        json!("Patient/"),
        json!("urn:uuid:"),
    ];
    let mut checked = 0;
    for name in [
        "Patient-example.json",
        "Appointment-example.json",
        "Appointment-examplereq.json",
        "Appointment-2docs.json",
        "Schedule-example.json",
        "Slot-example.json",
    ] {
        let ex = example(name);
        let mut all = Vec::new();
        paths(&ex, vec![], &mut all);
        for at in &all {
            for r in &replacements {
                let mut v = ex.clone();
                set(&mut v, at, r.clone());
                let results = [
                    patient_from_fhir(&v, &opts).map(|_| ()),
                    appointment_from_fhir(&v, &f.resolver).map(|_| ()),
                    schedule_from_fhir(&v, &f.resolver).map(|_| ()),
                    slot_from_fhir(&v, &f.resolver).map(|_| ()),
                ];
                for res in results {
                    if let Err(e) = res {
                        match e {
                            ClinicError::Validation(errs) => assert!(!errs.errors.is_empty()),
                            other => panic!("unexpected error kind {other:?}"),
                        }
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[tokio::test]
async fn fhir_use_cases_follow_rbac_and_import_books() {
    let w = world().await;
    let fx = &w.fx;
    let c = fx.clinic.id();
    let admin = Actor::system();
    let me = Actor::new(Role::Patient).with_clinic(c).as_patient(fx.patients[0].id());
    assert!(w.sch.fhir_patient(&me, fx.patients[0].id()).await.is_ok());
    assert_eq!(w.sch.fhir_patient(&me, fx.patients[1].id()).await.unwrap_err().code(), ErrorCode::Forbidden);
    let mix = appointment_mix(&w).await;
    let other_doc = Actor::new(Role::Practitioner).with_clinic(c).as_practitioner(fx.practitioners[1].id());
    assert_eq!(w.sch.fhir_appointment(&other_doc, mix[0].id()).await.unwrap_err().code(), ErrorCode::Forbidden);
    let schedules = w.sch.store().list_schedules(c).await.unwrap();
    let own = schedules.iter().find(|s| s.resource() == ResourceRef::Practitioner(fx.practitioners[1].id())).unwrap();
    let not_own =
        schedules.iter().find(|s| s.resource() == ResourceRef::Practitioner(fx.practitioners[0].id())).unwrap();
    assert!(w.sch.fhir_schedule(&other_doc, own.id()).await.is_ok());
    assert_eq!(w.sch.fhir_schedule(&other_doc, not_own.id()).await.unwrap_err().code(), ErrorCode::Forbidden);

    // Import the official patient example: registered with a new id; a second import is a duplicate MRN.
    let text = std::fs::read_to_string(fixture_dir().join("Patient-example.json")).unwrap();
    let opts = ImportOptions { default_region: Some("AU".into()), today: None };
    assert_eq!(w.sch.import_fhir_patient(&me, c, &text, &opts).await.unwrap_err().code(), ErrorCode::Forbidden);
    let peter = w.sch.import_fhir_patient(&admin, c, &text, &opts).await.unwrap();
    assert_eq!(peter.mrn(), Some("12345"));
    assert_eq!(w.sch.import_fhir_patient(&admin, c, &text, &opts).await.unwrap_err().code(), ErrorCode::DuplicateMrn);
    assert_eq!(w.sch.import_fhir_patient(&admin, c, "{", &opts).await.unwrap_err().code(), ErrorCode::InvalidJson);

    // Import an appointment for him: the booking rules apply (a conflicting slot is refused).
    let mut r = MapResolver::default();
    r.patients.insert("Patient/example".into(), peter.id());
    let booking = json!({
        "resourceType": "Appointment", "status": "booked",
        "serviceType": [{"coding": [{"system": APPOINTMENT_TYPE_SYSTEM, "code": fx.individual.id().to_string()}]}],
        "start": fhir::instant(fx.at(16, 0)), "minutesDuration": 30,
        "participant": [{"actor": {"reference": "Patient/example"}}, {"actor": {"reference": format!("Practitioner/{}", fx.practitioners[0].id())}}]
    });
    let a = w.sch.import_fhir_appointment(&admin, c, &booking.to_string(), &r).await.unwrap();
    assert_eq!((a.patient_id(), a.slot().start(), a.status()), (peter.id(), fx.at(16, 0), AppointmentStatus::Booked));
    let mut clash = booking.clone();
    clash["start"] = json!(fhir::instant(fx.at(9, 0)));
    match w.sch.import_fhir_appointment(&admin, c, &clash.to_string(), &r).await {
        Err(ClinicError::Booking(rej)) => {
            assert!(rej.violations.iter().any(|v| v.code == ErrorCode::SlotConflictPractitioner))
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Letters from several scripts, punctuation FHIR and JSON must carry, and inner whitespace runs.
        proptest::string::string_regex("[A-Za-zÀ-ÿА-я一-龥'’\\-\\.,;\"\\\\ ]{1,40}")
            .unwrap()
            .prop_filter("not blank", |s| !s.trim().is_empty())
    }

    prop_compose! {
        fn patient_input()(
            given in text(), family in text(), mrn in proptest::option::of("[A-Z0-9\\-]{1,20}"),
            dob in proptest::option::of((1900i32..2025, 1u32..13, 1u32..29)),
            sex in prop_oneof![Just(Sex::Female), Just(Sex::Male), Just(Sex::Other), Just(Sex::Unknown)],
            phone in proptest::option::of(0u32..100), email in proptest::option::of("[a-z]{1,10}"),
            addr in proptest::option::of((text(), proptest::option::of(text()), text(), proptest::option::of(text()), "[A-Z0-9 ]{1,10}", prop_oneof![Just("GB"), Just("US"), Just("AU")])),
            idents in proptest::collection::vec(("urn:[a-z]{1,8}", "[A-Za-z0-9]{1,12}"), 0..3),
        ) -> PatientInput {
            PatientInput {
                mrn,
                given_name: given,
                family_name: family,
                date_of_birth: dob.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
                sex,
                contact: ContactInfo::new(
                    phone.map(|n| format!("+4420794609{n:02}")).as_deref(),
                    email.map(|e| format!("{e}@example.org")).as_deref(),
                    None,
                ).unwrap(),
                address: addr.and_then(|(l1, l2, city, region, postal, country)| {
                    Address::new(&l1, l2.as_deref(), &city, region.as_deref(), &postal, country).ok()
                }),
                identifiers: idents.into_iter().map(|(system, value)| Identifier { system, value }).collect(),
                user_id: None,
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any valid patient survives domain → FHIR (through JSON text) → domain unchanged.
        #[test]
        fn any_patient_round_trips(input in patient_input()) {
            let p = Patient::new(PatientId::new(), ClinicId::new(), input, None)
                .map_err(|e| TestCaseError::fail(format!("generator made an invalid patient: {e}")))?;
            let text = patient_to_fhir(&p).to_string();
            let back = patient_from_fhir(&fhir::parse_json(&text).unwrap(), &ImportOptions::default()).unwrap();
            prop_assert_eq!(back.id, Some(p.id()));
            prop_assert_eq!(&back.input, p.data());
        }
    }
}
