//! Availability search: every bookable start for a type, across practitioners and a date range.
//!
//! For individual types the search sweeps each availability window with a merged list of *forbidden start
//! intervals* (derived from the same overlap conditions rules 1–3 use), jumping over them instead of testing
//! every candidate. Group types, where a busy interval can still accept more patients, test each aligned
//! candidate with the rule functions themselves. The property test in `tests/search_matches_check.rs`
//! proves both paths equal "every candidate the conflict engine accepts".

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, ResourceRef, RoomId};
use crate::model::{AppointmentType, Window};
use crate::time_slot::{from_minute, to_minute};
use crate::zone::{local_date, ZoneDays};

use super::rules::horizon_bounds;
use super::{Calendar, SlotOffer};

/// The longest range one query may span.
pub const MAX_QUERY_DAYS: i64 = 366;

/// "Free start times for type T, practitioners P…, between `from` and `to`" (starts in `[from, to)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotQuery {
    pub appointment_type_id: AppointmentTypeId,
    /// Empty = every active practitioner who offers the type.
    #[serde(default)]
    pub practitioner_ids: Vec<PractitionerId>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// When given, rule 2 applies too: the patient's own appointments block starts.
    #[serde(default)]
    pub patient_id: Option<PatientId>,
    #[serde(default)]
    pub room_id: Option<RoomId>,
    /// An appointment being rescheduled: its own slot does not block.
    #[serde(default)]
    pub exclude: Option<AppointmentId>,
    /// At most this many offers (the earliest).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl Calendar {
    /// Free starts, sorted by (start, practitioner). A start is offered exactly when [`Calendar::check`]
    /// would accept the same booking at the same `now` (without overbooking).
    pub fn find_available_slots(&self, q: &SlotQuery, now: DateTime<Utc>) -> Result<Vec<SlotOffer>, ClinicError> {
        crate::time_slot::check_instant(q.from, "from")?;
        crate::time_slot::check_instant(q.to, "to")?;
        crate::time_slot::check_instant(now, "now")?;
        if q.to <= q.from {
            return Err(ClinicError::field(ErrorCode::InvalidTimeRange, "to", "`to` must be after `from`"));
        }
        if q.to - q.from > Duration::days(MAX_QUERY_DAYS) {
            return Err(ClinicError::field(
                ErrorCode::InvalidTimeRange,
                "to",
                format!("a query spans at most {MAX_QUERY_DAYS} days"),
            ));
        }
        let ty = self
            .types
            .get(&q.appointment_type_id)
            .ok_or_else(|| ClinicError::not_found("appointment type", q.appointment_type_id))?;
        if let Some(room) = q.room_id {
            if !self.rooms.contains_key(&room) {
                return Err(ClinicError::not_found("room", room));
            }
        }
        let mut out = Vec::new();
        if !ty.active() || q.room_id.and_then(|r| self.rooms.get(&r)).is_some_and(|r| !r.active()) {
            return Ok(out);
        }
        let ids = if q.practitioner_ids.is_empty() { self.practitioner_ids() } else { q.practitioner_ids.clone() };
        let tz = self.clinic.time_zone();
        let (from, to) = (to_minute(q.from) + i64::from(q.from.timestamp() % 60 != 0), to_minute(q.to));
        let d = i64::from(ty.duration_minutes());
        let first = local_date(tz, q.from).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = local_date(tz, from_minute(to + d));
        let days = ZoneDays::new(tz, first, last.succ_opt().unwrap_or(last));
        let (h_lo, h_hi) = horizon_bounds(ty, now);
        let (lo, hi) = (from.max(h_lo), (to - 1).min(h_hi)); // inclusive start bounds
        if lo > hi {
            return Ok(out);
        }
        let closures = self.clinic.closure_minutes(&days, first, last);
        let room_windows = q.room_id.map(ResourceRef::Room).filter(|r| !self.schedules_of(*r).is_empty()).map(|r| {
            let mut w = self.windows_of(r, &days, first, last);
            w.sort_unstable();
            w
        });
        for pid in ids {
            let Some(p) = self.practitioners.get(&pid) else {
                return Err(ClinicError::not_found("practitioner", pid));
            };
            if !p.active() || !ty.offered_by(pid) {
                continue;
            }
            let mut windows = self.windows_of(ResourceRef::Practitioner(pid), &days, first, last);
            if windows.is_empty() {
                continue;
            }
            windows.sort_unstable();
            let before = out.len();
            let fits_room =
                |s: i64| room_windows.as_ref().is_none_or(|rw| rw.iter().any(|w| w.start <= s && s + d <= w.end));
            if ty.is_group() {
                for s in candidates(&windows, d, lo, hi) {
                    if fits_room(s) && !overlaps_closure(&closures, s, s + d) && self.occupancy_ok(q, ty, pid, s, s + d)
                    {
                        out.push(offer(s, d, pid));
                    }
                }
            } else {
                let forbidden = self.forbidden_starts(q, ty, pid, &closures, lo, hi);
                for w in &windows {
                    let Some(mut s) = first_aligned(w, w.start.max(lo)) else { continue };
                    let last_start = (w.end - d).min(hi);
                    while s <= last_start {
                        let j = forbidden.partition_point(|f| f.0 <= s);
                        if j > 0 && s < forbidden[j - 1].1 {
                            match first_aligned(w, forbidden[j - 1].1) {
                                Some(n) => s = n,
                                None => break,
                            }
                            continue;
                        }
                        if fits_room(s) {
                            out.push(offer(s, d, pid));
                        }
                        s += w.step;
                    }
                }
            }
            // Overlapping windows of several schedules can offer one start twice.
            out[before..].sort_unstable_by_key(|o| o.start);
            let mut seen = i64::MIN;
            let mut keep = before;
            for i in before..out.len() {
                let m = to_minute(out[i].start);
                if m != seen {
                    out[keep] = out[i];
                    keep += 1;
                    seen = m;
                }
            }
            out.truncate(keep);
        }
        out.sort_unstable_by_key(|o| (o.start, o.practitioner_id));
        if let Some(limit) = q.limit {
            out.truncate(limit);
        }
        Ok(out)
    }

    /// Rules 1 and 2 for one candidate (group path).
    fn occupancy_ok(&self, q: &SlotQuery, ty: &AppointmentType, pid: PractitionerId, s: i64, e: i64) -> bool {
        self.resource_violation(ResourceRef::Practitioner(pid), ty, s, e, q.exclude).is_none()
            && q.room_id.is_none_or(|r| self.resource_violation(ResourceRef::Room(r), ty, s, e, q.exclude).is_none())
            && q.patient_id.is_none_or(|p| self.patient_violation(p, s, e, q.exclude).is_none())
    }

    /// Start intervals `[a, b)` that rules 1–3 forbid, merged and sorted. A start `s` of a slot of length `d`
    /// with buffers `bb`/`ba` collides with an occupied `[x, y)` exactly when `x − d − ba < s < y + bb`.
    fn forbidden_starts(
        &self,
        q: &SlotQuery,
        ty: &AppointmentType,
        pid: PractitionerId,
        closures: &[(i64, i64)],
        lo: i64,
        hi: i64,
    ) -> Vec<(i64, i64)> {
        let d = i64::from(ty.duration_minutes());
        let (bb, ba) = (i64::from(ty.buffer_before_minutes()), i64::from(ty.buffer_after_minutes()));
        let mut f: Vec<(i64, i64)> = Vec::new();
        let mut add_resource = |r: ResourceRef| {
            if let Some(idx) = self.resources.get(&r) {
                for x in idx.overlapping(lo - bb, hi + d + ba) {
                    if Some(x.appointment) != q.exclude {
                        f.push((x.start - d - ba + 1, x.end + bb));
                    }
                }
            }
        };
        add_resource(ResourceRef::Practitioner(pid));
        if let Some(r) = q.room_id {
            add_resource(ResourceRef::Room(r));
        }
        if let Some(idx) = q.patient_id.and_then(|p| self.patients.get(&p)) {
            for x in idx.overlapping(lo, hi + d) {
                if Some(x.appointment) != q.exclude {
                    f.push((x.start - d + 1, x.end));
                }
            }
        }
        for &(cs, ce) in closures {
            f.push((cs - d + 1, ce));
        }
        f.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(f.len());
        for (a, b) in f {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged
    }
}

/// The first start `≥ at` on the window's grid, if the window has one.
#[inline]
fn first_aligned(w: &Window, at: i64) -> Option<i64> {
    let k = (at - w.anchor).div_euclid(w.step) + i64::from((at - w.anchor).rem_euclid(w.step) != 0);
    let s = w.anchor + k * w.step;
    (s < w.end).then_some(s)
}

fn candidates(windows: &[Window], d: i64, lo: i64, hi: i64) -> impl Iterator<Item = i64> + '_ {
    windows.iter().flat_map(move |w| {
        let last = (w.end - d).min(hi);
        let start = first_aligned(w, w.start.max(lo)).unwrap_or(i64::MAX);
        (0..).map(move |k| start.saturating_add(k * w.step)).take_while(move |s| *s <= last)
    })
}

fn overlaps_closure(closures: &[(i64, i64)], s: i64, e: i64) -> bool {
    closures.iter().any(|&(cs, ce)| cs < e && s < ce)
}

fn offer(s: i64, d: i64, practitioner_id: PractitionerId) -> SlotOffer {
    SlotOffer { start: from_minute(s), end: from_minute(s + d), practitioner_id }
}
