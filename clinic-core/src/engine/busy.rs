//! `BusyIndex`: one resource's (or patient's) active appointments as sorted integer intervals.
//!
//! Intervals are kept sorted by start with a running maximum of ends, so "does `[s, e)` overlap anything?"
//! is one search for the first start `≥ e` plus one comparison, even when intervals overlap each other
//! (overbooked or group sessions) — that is what makes workload W1 run at tens of millions of checks per
//! second.
//!
//! The search reads only compact data: a `(start, running max end)` key per interval (16 bytes, next to each
//! other) and, for larger indexes, a bucket directory over the starts (`dir[b]` = how many intervals start
//! before `base + b·2^shift`), so a lookup is one directory read and a search among the few keys of one
//! bucket instead of a binary search over the whole year.

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

/// `start` of an entry and the running maximum of ends up to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Key {
    start: i64,
    max_end: i64,
}

/// Indexes with fewer entries are searched by plain binary search over the keys.
const DIRECTORY_MIN_ENTRIES: usize = 32;

#[derive(Debug, Clone, Default)]
pub struct BusyIndex {
    entries: Vec<BusyEntry>,
    /// `keys[i] = (entries[i].start, max(entries[..=i].end))`.
    keys: Vec<Key>,
    /// Empty, or `dir[b]` = number of entries with `start < base + (b << shift)` for `b` in `0..=buckets`
    /// (the last is every entry).
    dir: Vec<u32>,
    base: i64,
    shift: u32,
}

impl BusyIndex {
    pub fn new(mut entries: Vec<BusyEntry>) -> Self {
        // Sorted input (a store's usual order) is recognised in one pass by the sort itself.
        entries.sort_unstable_by_key(|e| (e.start, e.end));
        let mut idx = BusyIndex { entries, ..Default::default() };
        idx.rebuild();
        idx
    }

    /// Recomputes the keys and the directory from `entries` (sorted).
    fn rebuild(&mut self) {
        self.keys.clear();
        self.keys.reserve(self.entries.len());
        let mut m = i64::MIN;
        for e in &self.entries {
            m = m.max(e.end);
            self.keys.push(Key { start: e.start, max_end: m });
        }
        self.dir.clear();
        let n = self.keys.len();
        if n < DIRECTORY_MIN_ENTRIES || u32::try_from(n).is_err() {
            return;
        }
        let base = self.keys[0].start;
        // Offsets from `base` are taken as u64: `t − base` of two i64 with `t ≥ base` always fits.
        let span = self.keys[n - 1].start.wrapping_sub(base) as u64;
        // The smallest bucket width (a power of two) that gives at most about one bucket per entry.
        let mut shift = 0u32;
        while (span >> shift) >= n as u64 {
            shift += 1;
        }
        let buckets = (span >> shift) as usize + 1;
        self.dir.reserve(buckets + 1);
        let mut i = 0usize;
        for b in 0..buckets {
            let bound = (b as u64) << shift; // b < 2^(64 − shift): no overflow
            while i < n && (self.keys[i].start.wrapping_sub(base) as u64) < bound {
                i += 1;
            }
            self.dir.push(i as u32);
        }
        self.dir.push(n as u32);
        self.base = base;
        self.shift = shift;
    }

    pub fn insert(&mut self, e: BusyEntry) {
        let pos = self.entries.partition_point(|x| (x.start, x.end) <= (e.start, e.end));
        self.entries.insert(pos, e);
        self.rebuild();
    }

    pub fn remove(&mut self, id: AppointmentId) {
        let before = self.entries.len();
        self.entries.retain(|e| e.appointment != id);
        if self.entries.len() != before {
            self.rebuild();
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

    /// How many entries start before `t` (the first index whose start is `≥ t`).
    #[inline]
    fn starting_before(&self, t: i64) -> usize {
        if self.dir.is_empty() {
            return self.keys.partition_point(|k| k.start < t);
        }
        if t <= self.base {
            return 0;
        }
        let b = (t.wrapping_sub(self.base) as u64 >> self.shift) as usize;
        if b + 1 >= self.dir.len() {
            return self.keys.len();
        }
        // Entries before dir[b] start before base + b·w ≤ t; entries from dir[b + 1] on start at or after
        // base + (b + 1)·w > t.
        let (lo, hi) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        lo + self.keys[lo..hi].partition_point(|k| k.start < t)
    }

    /// Whether any interval overlaps `[s, e)`. O(1) expected with a directory, O(log n) without.
    #[inline]
    pub fn overlaps_any(&self, s: i64, e: i64) -> bool {
        let k = self.starting_before(e);
        k > 0 && self.keys[k - 1].max_end > s
    }

    /// Every interval overlapping `[s, e)`, in start order.
    pub fn overlapping(&self, s: i64, e: i64) -> impl Iterator<Item = &BusyEntry> {
        let k = self.starting_before(e);
        // Walk back while some earlier entry may still reach past `s`.
        let mut lo = k;
        while lo > 0 && self.keys[lo - 1].max_end > s {
            lo -= 1;
        }
        self.entries[lo..k].iter().filter(move |x| x.end > s)
    }

    /// Entries whose start lies in `[from, to)`.
    pub fn starting_in(&self, from: i64, to: i64) -> &[BusyEntry] {
        let a = self.starting_before(from);
        let b = self.starting_before(to);
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

    fn check_all(raw: &[BusyEntry], probes: &[i64]) {
        let idx = BusyIndex::new(raw.to_vec());
        for &s in probes {
            for len in [1, 5, 30, 1000] {
                let brute: Vec<_> =
                    raw.iter().filter(|x| x.start < s + len && x.end > s).map(|x| x.appointment).collect();
                assert_eq!(idx.overlaps_any(s, s + len), !brute.is_empty(), "{s} {len}");
                let mut got: Vec<_> = idx.overlapping(s, s + len).map(|x| x.appointment).collect();
                let mut want = brute.clone();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{s} {len}");
                let starting: Vec<_> = idx.starting_in(s, s + len).iter().map(|x| x.start).collect();
                let mut want: Vec<_> = raw.iter().map(|x| x.start).filter(|t| *t >= s && *t < s + len).collect();
                want.sort();
                assert_eq!(starting, want, "{s} {len}");
            }
        }
    }

    #[test]
    fn directory_agrees_with_brute_force() {
        // A deterministic pseudo-random mix: clustered days, overlaps, duplicates, long intervals.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [31usize, 32, 33, 100, 500] {
            let mut raw = Vec::new();
            for _ in 0..n {
                let day = (next() % 20) as i64 * 1440;
                let s = day + 480 + (next() % 600) as i64;
                let len = [5, 15, 30, 60, 3000][(next() % 5) as usize];
                raw.push(e(s, s + len));
            }
            raw.push(raw[0]);
            let probes: Vec<i64> = (-100..20 * 1440 + 3100).step_by(7).collect();
            check_all(&raw, &probes);
        }
    }

    #[test]
    fn directory_handles_extreme_spans() {
        let mut raw: Vec<_> = (0..40).map(|i| e(i * 10, i * 10 + 15)).collect();
        raw.push(e(-(1 << 60), -(1 << 60) + 5));
        raw.push(e(1 << 60, (1 << 60) + 5));
        let mut probes: Vec<i64> = (-20..420).collect();
        probes.extend([-(1 << 60) - 3, -(1 << 60), -(1 << 60) + 4, (1 << 60) - 1, 1 << 60, (1 << 60) + 4]);
        check_all(&raw, &probes);
        // Every entry at one instant.
        let same: Vec<_> = (0..50).map(|_| e(100, 130)).collect();
        check_all(&same, &(0..200).collect::<Vec<_>>());
    }

    #[test]
    fn insert_and_remove_keep_the_directory() {
        let raw: Vec<_> = (0..64).map(|i| e(i * 30, i * 30 + 30)).collect();
        let mut idx = BusyIndex::new(raw.clone());
        let extra = e(5000, 5100);
        idx.insert(extra);
        assert!(idx.overlaps_any(5050, 5060));
        assert!(!idx.overlaps_any(4000, 4100));
        idx.remove(extra.appointment);
        assert!(!idx.overlaps_any(5050, 5060));
        idx.remove(raw[10].appointment);
        assert!(!idx.overlaps_any(300, 330));
        assert!(idx.overlaps_any(299, 301));
    }
}
