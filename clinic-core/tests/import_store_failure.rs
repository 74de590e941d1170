//! A store that fails at the commit: atomic imports leave nothing half-written and report the store error.

use async_trait::async_trait;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clinic_core::error::ErrorCode;
use clinic_core::import::{ImportMode, ImportOptions, ImportSource};
use clinic_core::ports::*;
use clinic_core::rbac::Actor;
use clinic_core::testkit::seed;
use clinic_core::*;

/// The in-memory store, with batch writes that fail while `broken` is set.
#[derive(Debug, Default)]
struct Flaky {
    inner: InMemoryStore,
    broken: AtomicBool,
}

impl Flaky {
    fn check(&self) -> StoreResult<()> {
        if self.broken.load(Ordering::SeqCst) {
            Err(ClinicError::Store { message: "disk full".into(), retryable: true })
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl CatalogStore for Flaky {
    async fn put_clinic(&self, c: &Clinic) -> StoreResult<()> {
        self.inner.put_clinic(c).await
    }
    async fn get_clinic(&self, id: ClinicId) -> StoreResult<Option<Clinic>> {
        self.inner.get_clinic(id).await
    }
    async fn list_clinics(&self) -> StoreResult<Vec<Clinic>> {
        self.inner.list_clinics().await
    }
    async fn put_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        self.inner.put_practitioner(p).await
    }
    async fn get_practitioner(&self, id: PractitionerId) -> StoreResult<Option<Practitioner>> {
        self.inner.get_practitioner(id).await
    }
    async fn list_practitioners(&self, clinic: ClinicId) -> StoreResult<Vec<Practitioner>> {
        self.inner.list_practitioners(clinic).await
    }
    async fn put_room(&self, r: &Room) -> StoreResult<()> {
        self.inner.put_room(r).await
    }
    async fn get_room(&self, id: RoomId) -> StoreResult<Option<Room>> {
        self.inner.get_room(id).await
    }
    async fn list_rooms(&self, clinic: ClinicId) -> StoreResult<Vec<Room>> {
        self.inner.list_rooms(clinic).await
    }
    async fn put_appointment_type(&self, t: &AppointmentType) -> StoreResult<()> {
        self.inner.put_appointment_type(t).await
    }
    async fn get_appointment_type(&self, id: AppointmentTypeId) -> StoreResult<Option<AppointmentType>> {
        self.inner.get_appointment_type(id).await
    }
    async fn list_appointment_types(&self, clinic: ClinicId) -> StoreResult<Vec<AppointmentType>> {
        self.inner.list_appointment_types(clinic).await
    }
    async fn put_schedule(&self, s: &Schedule) -> StoreResult<()> {
        self.inner.put_schedule(s).await
    }
    async fn get_schedule(&self, id: ScheduleId) -> StoreResult<Option<Schedule>> {
        self.inner.get_schedule(id).await
    }
    async fn delete_schedule(&self, id: ScheduleId) -> StoreResult<bool> {
        self.inner.delete_schedule(id).await
    }
    async fn list_schedules(&self, clinic: ClinicId) -> StoreResult<Vec<Schedule>> {
        self.inner.list_schedules(clinic).await
    }
}

#[async_trait]
impl PatientStore for Flaky {
    async fn insert_patient(&self, p: &Patient) -> StoreResult<()> {
        self.check()?;
        self.inner.insert_patient(p).await
    }
    async fn insert_patients(&self, ps: &[Patient]) -> StoreResult<()> {
        self.check()?;
        self.inner.insert_patients(ps).await
    }
    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        self.inner.update_patient(p).await
    }
    async fn get_patient(&self, id: PatientId) -> StoreResult<Option<Patient>> {
        self.inner.get_patient(id).await
    }
    async fn find_patients(&self, q: &PatientQuery) -> StoreResult<Vec<Patient>> {
        self.inner.find_patients(q).await
    }
}

#[async_trait]
impl AppointmentStore for Flaky {
    async fn get_appointment(&self, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        self.inner.get_appointment(id).await
    }
    async fn list_appointments(&self, f: &AppointmentFilter) -> StoreResult<Vec<Appointment>> {
        self.inner.list_appointments(f).await
    }
    async fn guard_versions(&self, keys: &[GuardKey]) -> StoreResult<Vec<u64>> {
        self.inner.guard_versions(keys).await
    }
    async fn commit_booking(&self, c: &BookingCommit) -> StoreResult<CommitOutcome> {
        self.check()?;
        self.inner.commit_booking(c).await
    }
    async fn commit_bookings(&self, cs: &[BookingCommit]) -> StoreResult<CommitOutcome> {
        self.check()?;
        self.inner.commit_bookings(cs).await
    }
    async fn update_appointment(&self, a: &Appointment, v: u64) -> StoreResult<()> {
        self.inner.update_appointment(a, v).await
    }
}

#[tokio::test]
async fn a_failing_store_leaves_atomic_imports_unwritten() {
    let store = Arc::new(Flaky::default());
    let fx = seed(store.clone(), 2).await;
    let sch = Scheduler::new(store.clone()).with_clock(Arc::new(FixedClock::new(fx.now)));
    store.broken.store(true, Ordering::SeqCst);
    let admin = Actor::system();
    let atomic = ImportOptions { mode: ImportMode::Atomic, ..Default::default() };

    let patients = b"mrn,given,family\nF-1,Ann,One\nF-2,Bob,Two\n";
    let e = sch.import_patients(&admin, fx.clinic.id(), ImportSource::Bytes(patients), &atomic).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    let q = PatientQuery { clinic_id: Some(fx.clinic.id()), ..Default::default() };
    assert_eq!(store.find_patients(&q).await.unwrap().len(), 2, "no imported patient stored");

    let appts = b"mrn,practitioner,type,start\nMRN-0000,Dr 0,Consultation,2027-01-11 09:00\n\
                  MRN-0001,Dr 1,Consultation,2027-01-11 09:00\n";
    let e = sch.import_appointments(&admin, fx.clinic.id(), ImportSource::Bytes(appts), &atomic).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StoreUnavailable);
    let f = AppointmentFilter { clinic_id: Some(fx.clinic.id()), ..Default::default() };
    assert!(store.list_appointments(&f).await.unwrap().is_empty(), "no imported appointment stored");

    // Repaired, the same files import whole.
    store.broken.store(false, Ordering::SeqCst);
    let r = sch.import_patients(&admin, fx.clinic.id(), ImportSource::Bytes(patients), &atomic).await.unwrap();
    assert_eq!((r.stored, r.committed), (2, true));
    let r = sch.import_appointments(&admin, fx.clinic.id(), ImportSource::Bytes(appts), &atomic).await.unwrap();
    assert_eq!((r.stored, r.committed), (2, true));
}
