//! FHIR R4 import: JSON text → `parse_json` → Patient, Appointment, Schedule and Slot readers (references
//! resolved by `IdResolver`, the engine's own `Type/<uuid>` and `urn:uuid:` forms).
//!
//! Input: 1 option byte (bit 0: a default phone/address region; bit 1: a clinic "today" for birth dates), then
//! the JSON resource. Seeds are the official R4 examples and the core's own exports.
//! Checks: no panic; an imported patient is one `Patient::new` accepts, and exporting it and reading it back
//! gives the same input; an imported proposed/booked appointment, turned into an `Appointment`, exports and
//! reads back to the same import.
#![no_main]

use chrono::{NaiveDate, Utc};
use clinic_core::interop::fhir::{
    appointment_from_fhir, appointment_to_fhir, parse_json, patient_from_fhir, patient_to_fhir, schedule_from_fhir,
    slot_from_fhir, AppointmentDisplay, AppointmentImport, IdResolver, ImportOptions,
};
use clinic_core::{
    Appointment, AppointmentId, AppointmentStatus, AppointmentType, AppointmentTypeInput, ClinicId, NewAppointment,
    Patient, PatientId,
};
use clinic_fuzz::split_options;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ([opt], body) = split_options::<1>(data);
    let Ok(text) = std::str::from_utf8(body) else { return };
    let Ok(v) = parse_json(text) else { return };
    let opts = ImportOptions {
        default_region: (opt & 1 != 0).then(|| "GB".to_string()),
        today: (opt & 2 != 0).then(|| NaiveDate::from_ymd_opt(2026, 11, 26)).flatten(),
    };

    if let Ok(imp) = patient_from_fhir(&v, &opts) {
        let clinic = ClinicId::new();
        let p = Patient::new(imp.id.unwrap_or_else(PatientId::new), clinic, imp.input.clone(), opts.today)
            .expect("an imported patient input is valid");
        let back = patient_from_fhir(&patient_to_fhir(&p), &opts).expect("an exported patient imports");
        assert_eq!(&back.input, p.data(), "patient FHIR round trip");
    }

    if let Ok(imp) = appointment_from_fhir(&v, &IdResolver) {
        if matches!(imp.status, AppointmentStatus::Proposed | AppointmentStatus::Booked) {
            let ty = AppointmentType::new(
                imp.appointment_type_id,
                ClinicId::new(),
                AppointmentTypeInput {
                    name: "fuzz".into(),
                    duration_minutes: u32::try_from(imp.slot.minutes()).expect("a slot lasts at most 12 hours"),
                    ..Default::default()
                },
            )
            .expect("a 1..=720-minute type is valid");
            let spec = NewAppointment {
                clinic_id: ty.clinic_id(),
                patient_id: imp.patient_id,
                practitioner_id: imp.practitioner_id,
                room_id: imp.room_id,
                appointment_type_id: imp.appointment_type_id,
                slot: imp.slot,
                reason: imp.reason.clone(),
                notes: imp.notes.clone(),
            };
            let id = imp.id.unwrap_or_else(AppointmentId::new);
            if let Ok(a) = Appointment::new(id, spec, &ty, imp.status, false, Utc::now()) {
                let fhir = appointment_to_fhir(&a, &AppointmentDisplay::default());
                let back = appointment_from_fhir(&fhir, &IdResolver).expect("an exported appointment imports");
                assert_eq!(back, AppointmentImport::of(&a), "appointment FHIR round trip");
            }
        }
    }

    let _ = schedule_from_fhir(&v, &IdResolver);
    let _ = slot_from_fhir(&v, &IdResolver);
});
