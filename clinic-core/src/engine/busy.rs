//! `BusyIndex`: one resource's (or patient's) active appointments as sorted integer intervals.
//!
//! Intervals are kept sorted by start with a running maximum of ends, so "does `[s, e)` overlap anything?"
//! is one binary search plus one comparison even when intervals overlap each other (overbooked or group
//! sessions) — that is what makes workload W1 run at tens of millions of checks per second.

use crate::ids::{AppointmentId, AppointmentTypeId};

/// One occupied interval (epoch minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusyEntry {
    /// Occupied interval: the effective interval (with buffers) for resources, the bare slot for patients.
    pub start: i64,
    pub end: i64,
    /// The bare slot, for the group-session "identical slot" exemption.
    pub slot_start: i64,
    pub slot_end: i64,
    pub appointment: AppointmentId,
    pub appointment_type: AppointmentTypeId,
}

#[derive(Debug, Clone, Default)]
pub struct BusyIndex {
    entries: Vec<BusyEntry>,
    /// `max_end[i] = max(entries[..=i].end)`.
    max_end: Vec<i64>,
}

impl BusyIndex {
    pub fn new(mut entries: Vec<BusyEntry>) -> Self {
        entries.sort_unstable_by_key(|e| (e.start, e.end));
        let mut idx = BusyIndex { entries, max_end: Vec::new() };
        idx.rebuild_max();
        idx
    }

    fn rebuild_max(&mut self) {
        self.max_end.clear();
        self.max_end.reserve(self.entries.len());
        let mut m = i64::MIN;
        for e in &self.entries {
            m = m.max(e.end);
            self.max_end.push(m);
        }
    }

    pub fn insert(&mut self, e: BusyEntry) {
        let pos = self.entries.partition_point(|x| (x.start, x.end) <= (e.start, e.end));
        self.entries.insert(pos, e);
        self.rebuild_max();
    }

    pub fn remove(&mut self, id: AppointmentId) {
        let before = self.entries.len();
        self.entries.retain(|e| e.appointment != id);
        if self.entries.len() != before {
            self.rebuild_max();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[BusyEntry] {
        &self.entries
    }

    /// Whether any interval overlaps `[s, e)`. O(log n).
    #[inline]
    pub fn overlaps_any(&self, s: i64, e: i64) -> bool {
        let k = self.entries.partition_point(|x| x.start < e);
        k > 0 && self.max_end[k - 1] > s
    }

    /// Every interval overlapping `[s, e)`, in start order.
    pub fn overlapping(&self, s: i64, e: i64) -> impl Iterator<Item = &BusyEntry> {
        let k = self.entries.partition_point(|x| x.start < e);
        // Walk back while some earlier entry may still reach past `s`.
        let mut lo = k;
        while lo > 0 && self.max_end[lo - 1] > s {
            lo -= 1;
        }
        self.entries[lo..k].iter().filter(move |x| x.end > s)
    }

    /// Entries whose start lies in `[from, to)`.
    pub fn starting_in(&self, from: i64, to: i64) -> &[BusyEntry] {
        let a = self.entries.partition_point(|x| x.start < from);
        let b = self.entries.partition_point(|x| x.start < to);
        &self.entries[a..b.max(a)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: i64, t: i64) -> BusyEntry {
        BusyEntry {
            start: s,
            end: t,
            slot_start: s,
            slot_end: t,
            appointment: AppointmentId::new(),
            appointment_type: AppointmentTypeId::new(),
        }
    }

    #[test]
    fn agrees_with_brute_force() {
        let raw = vec![e(0, 100), e(10, 20), e(50, 60), e(200, 210), e(205, 300)];
        let idx = BusyIndex::new(raw.clone());
        for s in -5..320 {
            for len in [1, 5, 30] {
                let brute: Vec<_> =
                    raw.iter().filter(|x| x.start < s + len && x.end > s).map(|x| x.appointment).collect();
                assert_eq!(idx.overlaps_any(s, s + len), !brute.is_empty(), "{s}");
                let mut got: Vec<_> = idx.overlapping(s, s + len).map(|x| x.appointment).collect();
                let mut want = brute.clone();
                got.sort();
                want.sort();
                assert_eq!(got, want);
            }
        }
    }
}
