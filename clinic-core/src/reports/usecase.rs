//! The GenerateReport use case: RBAC, loading through the store ports, then [`compute_report`].

use chrono::NaiveTime;

use crate::error::ClinicError;
use crate::ports::{AppointmentFilter, Store};
use crate::rbac::{authorize, scope_of, Actor, Permission, Scope, Target};
use crate::usecases::Scheduler;
use crate::zone::resolve_local;

use super::{compute_report, Report, ReportCatalog, ReportQuery};

impl<S: Store + ?Sized> Scheduler<S> {
    /// GenerateReport: the figures of [`crate::reports`] for a clinic-local date range.
    ///
    /// Needs `ReadReports`. An actor whose grant is limited to their own practitioner record (the
    /// `practitioner` role) gets their own figures when the query names no practitioner — like
    /// [`Scheduler::list_appointments`] narrows to their own appointments — and `FORBIDDEN` when it names
    /// anyone else. Every named practitioner is checked, not just one of them. A bad range is refused before
    /// anything is loaded.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chrono::NaiveDate;
    /// use clinic_core::rbac::{Actor, Role};
    /// use clinic_core::reports::ReportQuery;
    /// use clinic_core::{ClinicInput, InMemoryStore, Scheduler};
    ///
    /// futures::executor::block_on(async {
    ///     let sch = Scheduler::new(Arc::new(InMemoryStore::new()));
    ///     let input = ClinicInput { name: "Northside".into(), time_zone: "Europe/London".into(), ..Default::default() };
    ///     let clinic = sch.create_clinic(&Actor::system(), input).await.unwrap();
    ///     let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    ///     let q = ReportQuery { clinic_id: clinic.id(), from: d(1, 1), to: d(2, 1), practitioner_ids: vec![] };
    ///     let front_desk = Actor::new(Role::Scheduler).with_clinic(clinic.id());
    ///     let report = sch.generate_report(&front_desk, &q).await.unwrap();
    ///     assert_eq!(report.days.len(), 31);
    ///     assert_eq!(report.totals.utilization, None); // nobody was available: no ratio, not NaN
    ///     // Patients have no access to reports.
    ///     let patient = Actor::new(Role::Patient).with_clinic(clinic.id());
    ///     let e = sch.generate_report(&patient, &q).await.unwrap_err();
    ///     assert_eq!(e.code().as_str(), "FORBIDDEN");
    /// });
    /// ```
    pub async fn generate_report(&self, actor: &Actor, query: &ReportQuery) -> Result<Report, ClinicError> {
        let mut query = query.clone();
        let cid = query.clinic_id;
        if query.practitioner_ids.is_empty()
            && scope_of(actor.role, Permission::ReadReports) == Some(Scope::OwnPractitioner)
        {
            query.practitioner_ids.extend(actor.practitioner_id);
        }
        if query.practitioner_ids.is_empty() {
            authorize(actor, Permission::ReadReports, &Target::clinic(cid))?;
        }
        for p in &query.practitioner_ids {
            authorize(actor, Permission::ReadReports, &Target::clinic(cid).practitioner(*p))?;
        }
        query.validate_range()?;

        let clinic = self.clinic(cid).await?;
        let store = self.store();
        let practitioners = store.list_practitioners(cid).await?;
        let schedules = store.list_schedules(cid).await?;
        // Every appointment whose slot overlaps the range's local days, with a day's margin either side for
        // slots that cross a local midnight at the edges (compute_report attributes them precisely).
        let tz = clinic.time_zone();
        let margin_from = query.from.pred_opt().unwrap_or(query.from);
        let margin_to = query.to.succ_opt().unwrap_or(query.to);
        let base = AppointmentFilter {
            clinic_id: Some(cid),
            from: Some(resolve_local(tz, margin_from.and_time(NaiveTime::MIN))),
            to: Some(resolve_local(tz, margin_to.and_time(NaiveTime::MIN))),
            ..Default::default()
        };
        let mut ids = query.practitioner_ids.clone();
        ids.sort();
        ids.dedup();
        let appointments = if ids.is_empty() {
            store.list_appointments(&base).await?
        } else {
            let mut all = Vec::new();
            for p in &ids {
                let f = AppointmentFilter { practitioner_id: Some(*p), ..base.clone() };
                all.extend(store.list_appointments(&f).await?);
            }
            all
        };
        let catalog = ReportCatalog { clinic: &clinic, practitioners: &practitioners, schedules: &schedules };
        compute_report(&catalog, &appointments, &query)
    }
}
