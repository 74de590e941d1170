//! Availability search: every bookable start for a type, across practitioners and a date range.
//!
//! For individual types the search sweeps each availability window with a merged list of *forbidden start
//! intervals* (derived from the same overlap conditions rules 1–3 use), jumping over them instead of testing
//! every candidate. Group types, where a busy interval can still accept more patients, test each aligned
//! candidate with the rule functions themselves. The property test in `tests/search_matches_check.rs`
//! proves both paths equal "every candidate the conflict engine accepts".

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ClinicError, ErrorCode};
use crate::ids::{AppointmentId, AppointmentTypeId, PatientId, PractitionerId, ResourceRef, RoomId};
use crate::model::{AppointmentType, Window};
use crate::time_slot::{ceil_minute, from_minute, to_minute};
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
        let (from, to) = (ceil_minute(q.from), ceil_minute(q.to));
        let d = i64::from(ty.duration_minutes());
        let first = local_date(tz, q.from).pred_opt().unwrap_or(NaiveDate::MIN);
        let last = local_date(tz, from_minute(to + d));
        let days = ZoneDays::new(tz, first, last.succ_opt().unwrap_or(last));
        let (h_lo, h_hi) = horizon_bounds(tz, ty, now);
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
        // Ties in start are ordered by practitioner id: rank the ids once (duplicates share a rank).
        let mut ranked = ids.clone();
        ranked.sort_unstable();
        ranked.dedup();
        // Every offer as one sort key: (start − lo) in the high bits, the practitioner's rank in the low ones.
        // A query spans at most MAX_QUERY_DAYS, so the start offset needs at most 20 bits.
        let rank_bits = usize::BITS - ranked.len().leading_zeros();
        let mut found: Vec<u64> = Vec::new();
        let mut run: Vec<i64> = Vec::new();
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
            run.clear();
            let fits_room =
                |s: i64| room_windows.as_ref().is_none_or(|rw| rw.iter().any(|w| w.start <= s && s + d <= w.end));
            if ty.is_group() {
                for s in candidates(&windows, d, lo, hi) {
                    if fits_room(s) && !overlaps_closure(&closures, s, s + d) && self.occupancy_ok(q, ty, pid, s, s + d)
                    {
                        run.push(s);
                    }
                }
            } else {
                let forbidden = self.forbidden_starts(q, ty, pid, &closures, lo, hi);
                for w in &windows {
                    let Some(mut s) = first_aligned(w, w.start.max(lo)) else { continue };
                    let last_start = (w.end - d).min(hi);
                    // `j` = how many forbidden intervals start at or before `s`; `s` only grows inside a window.
                    let mut j = forbidden.partition_point(|f| f.0 <= s);
                    while s <= last_start {
                        while j < forbidden.len() && forbidden[j].0 <= s {
                            j += 1;
                        }
                        if j > 0 && s < forbidden[j - 1].1 {
                            match first_aligned(w, forbidden[j - 1].1) {
                                Some(n) => s = n,
                                None => break,
                            }
                            continue;
                        }
                        if fits_room(s) {
                            run.push(s);
                        }
                        s += w.step;
                    }
                }
            }
            // Overlapping windows of several schedules can offer one start twice.
            run.sort_unstable();
            run.dedup();
            let rank = ranked.binary_search(&pid).unwrap_or(0) as u64;
            found.extend(run.iter().map(|&s| (((s - lo) as u64) << rank_bits) | rank));
        }
        radix_sort(&mut found, OFFSET_BITS + rank_bits);
        if let Some(limit) = q.limit {
            found.truncate(limit);
        }
        let mut clock = MinuteClock::default();
        let mask = (1u64 << rank_bits) - 1;
        out.reserve_exact(found.len());
        for key in found {
            let s = lo + (key >> rank_bits) as i64;
            let (start, end) = (clock.at(s), clock.at(s + d));
            out.push(SlotOffer { start, end, practitioner_id: ranked[(key & mask) as usize] });
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
        // `f` is a few sorted runs (each index yields its intervals in order): the stable sort merges them.
        f.sort();
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

/// Bits of a start's offset from the first allowed start: `hi − lo < (MAX_QUERY_DAYS + 1) · 1440 < 2^20`.
const OFFSET_BITS: u32 = 20;
const _: () = assert!((MAX_QUERY_DAYS + 1) * 1440 < 1 << OFFSET_BITS);

/// Sorts keys of at most `bits` significant bits: LSD radix sort, 11 bits a pass (falls back to the library
/// sort for short inputs or keys too wide).
fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    const BUCKETS: usize = 1 << DIGIT;
    if keys.len() < 256 || bits > 64 {
        keys.sort_unstable();
        return;
    }
    let mut tmp = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let mut pos = [0usize; BUCKETS];
        for &k in keys.iter() {
            pos[((k >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        let mut sum = 0;
        for p in pos.iter_mut() {
            let c = *p;
            *p = sum;
            sum += c;
        }
        for &k in keys.iter() {
            let b = ((k >> shift) as usize) & (BUCKETS - 1);
            tmp[pos[b]] = k;
            pos[b] += 1;
        }
        std::mem::swap(keys, &mut tmp);
        shift += DIGIT;
    }
}

/// Minute → instant like [`from_minute`], computing the calendar date once per UTC day (offers come sorted).
#[derive(Default)]
struct MinuteClock {
    day: Option<(i64, Option<NaiveDate>)>,
}

impl MinuteClock {
    fn at(&mut self, m: i64) -> DateTime<Utc> {
        let day = m.div_euclid(1440);
        let date = match self.day {
            Some((d, date)) if d == day => date,
            _ => {
                // The date of that day's midnight, when that midnight is representable.
                let t = from_minute(day * 1440);
                let date = (to_minute(t) == day * 1440).then(|| t.date_naive());
                self.day = Some((day, date));
                date
            }
        };
        let secs = ((m - day * 1440) * 60) as u32; // 0 ≤ m − day·1440 < 1440
        match (date, NaiveTime::from_num_seconds_from_midnight_opt(secs, 0)) {
            (Some(date), Some(time)) => date.and_time(time).and_utc(),
            _ => from_minute(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_sorts() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for (n, bits) in [(10usize, 64u32), (300, 26), (5000, 20), (5000, 40), (2049, 64)] {
            let mut v: Vec<u64> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if bits == 64 {
                        x
                    } else {
                        x & ((1u64 << bits) - 1)
                    }
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            radix_sort(&mut v, bits);
            assert_eq!(v, want, "{n} {bits}");
        }
    }

    #[test]
    fn minute_clock_matches_from_minute() {
        let mut c = MinuteClock::default();
        for m in (-3000..3000).chain(28_000_000..28_003_000).chain([i64::MIN / 61, i64::MAX / 61, 0, 1439, 1440]) {
            assert_eq!(c.at(m), from_minute(m), "{m}");
        }
    }
}
