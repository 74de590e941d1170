//! A structural check of an XLS file's container (an OLE compound file, "CFB") before `calamine` reads it.
//!
//! calamine 0.31 trusts the container's numbers: it allocates `sector id × sector size` bytes for any sector id
//! it meets, `Vec::with_capacity` of any declared length, indexes its FAT with any id and follows sector chains
//! until they end — so a 5 KB file naming sector 0xFFFF_FFF0 made it ask for 2 TB and abort the process, and a
//! cyclic chain would loop forever (found by `fuzz/` target `import_spreadsheet`; regression test in
//! `tests/fuzz_regressions.rs`). This check walks the same structures calamine walks — header, DIFAT chain,
//! FAT, directory chain, every directory entry's stream chain (FAT or mini FAT) — and refuses the file unless
//! every id points inside the file, every chain ends without a cycle, and every declared length fits the file.
//! It reads only; valid files are untouched (the XLS tests written by xlwt pass through it).

/// Ids at or above this are markers, not sectors (MS-CFB 2.1: MAXREGSECT + 1).
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const MINI_SECTOR: usize = 64;
/// Streams shorter than this live in the mini stream (MS-CFB 2.6.3).
const MINI_CUTOFF: u64 = 4096;

fn u16_at(b: &[u8], o: usize) -> u16 {
    b.get(o..o + 2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], o: usize) -> u32 {
    b.get(o..o + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u32s(s: &[u8]) -> impl Iterator<Item = u32> + '_ {
    s.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

struct Container<'a> {
    bytes: &'a [u8],
    size: usize,
    /// Sectors that start inside the file (the last one may be short; calamine reads it short).
    count: u64,
}

impl<'a> Container<'a> {
    fn sector(&self, id: u32) -> Result<&'a [u8], String> {
        if u64::from(id) >= self.count {
            return Err(format!("sector {id:#x} lies beyond the end of the file"));
        }
        let start = self.size + id as usize * self.size;
        Ok(&self.bytes[start..(start + self.size).min(self.bytes.len())])
    }
}

/// Follows a chain through `table` from `start` as calamine does (until `ENDOFCHAIN`), requiring every id to
/// be below `limit` and inside `table`, and the chain to be no longer than `table` (else it has a cycle).
fn chain(table: &[u32], start: u32, limit: u64, what: &str) -> Result<Vec<u32>, String> {
    let mut ids = Vec::new();
    let mut id = start;
    while id != ENDOFCHAIN {
        if u64::from(id) >= limit || id as usize >= table.len() {
            return Err(format!("the {what} chain refers to sector {id:#x}, outside the file"));
        }
        if ids.len() >= table.len() {
            return Err(format!("the {what} chain loops"));
        }
        ids.push(id);
        id = table[id as usize];
    }
    Ok(ids)
}

/// `Ok` when calamine can read the container without trusting a number that points outside the file.
pub(crate) fn check_cfb(bytes: &[u8]) -> Result<(), String> {
    let size = match u16_at(bytes, 30) {
        9 => 512,
        12 => 4096,
        s => return Err(format!("sector shift {s} (expected 9 or 12)")),
    };
    if bytes.len() < size {
        return Err("the file is shorter than its header".into());
    }
    let len = bytes.len() as u64;
    let c = Container { bytes, size, count: (len - size as u64).div_ceil(size as u64) };
    let within = |n: u32, unit: u64, what: &str| -> Result<(), String> {
        if u64::from(n) * unit > len {
            return Err(format!("the header declares {n} {what}, more than the file holds"));
        }
        Ok(())
    };
    // Lengths calamine allocates for up front: directory and mini FAT sectors, and FAT entries.
    within(u32_at(bytes, 40), size as u64, "directory sectors")?;
    within(u32_at(bytes, 44), 4, "FAT sectors")?;
    within(u32_at(bytes, 64), size as u64, "mini FAT sectors")?;
    // calamine also reserves room for "DIFAT entries" read from offset 62, which straddles the mini FAT start and
    // length fields: 0xFFFF in an ordinary file, `mini FAT sectors << 16` at most in a sane one.
    if u32_at(bytes, 62) > 1 << 26 {
        return Err("the header's mini FAT fields are out of range".into());
    }

    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors whose last entry links the next.
    let mut difat: Vec<u32> = u32s(&bytes[76..512]).collect();
    let mut next = u32_at(bytes, 68);
    let mut hops = 0u64;
    while next < RESERVED {
        hops += 1;
        if hops > c.count {
            return Err("the DIFAT chain loops".into());
        }
        let s = c.sector(next)?;
        difat.extend(u32s(s));
        next = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|id| *id < DIFSECT) {
        fat.extend(u32s(c.sector(id)?));
    }

    // The directory, then every entry's stream.
    let mut dir = Vec::new();
    for id in chain(&fat, u32_at(bytes, 48), c.count, "directory")? {
        dir.extend_from_slice(c.sector(id)?);
    }
    // calamine cuts the directory into 128-byte entries and slices each one up to 128 bytes: a directory sector cut
    // short by the end of the file made it panic (found by `import_spreadsheet`).
    if dir.len() % 128 != 0 {
        return Err("the directory is cut short by the end of the file".into());
    }
    // (start sector, stream length, has a name, is the workbook stream) per 128-byte entry; entry 0 is the root
    // (the mini stream).
    let entries: Vec<(u32, u64, bool, bool)> = dir
        .chunks_exact(128)
        .map(|e| {
            let start = u32_at(e, 116);
            let n = if size == 512 {
                u64::from(u32_at(e, 120))
            } else {
                u64::from(u32_at(e, 120)) | (u64::from(u32_at(e, 124)) << 32)
            };
            (start, n, u16_at(e, 0) != 0, is_workbook_name(e))
        })
        .collect();
    let Some(&(root_start, root_len, _, _)) = entries.first() else { return Ok(()) };
    let mut mini_stream = Vec::new();
    let (mut mini_fat, mut mini_count) = (Vec::new(), 0u64);
    if u32_at(bytes, 64) > 0 {
        if root_len > len {
            return Err("the root entry declares a mini stream longer than the file".into());
        }
        let sectors = chain(&fat, root_start, c.count, "mini stream")?;
        mini_count = (sectors.len() * size / MINI_SECTOR) as u64;
        for id in sectors {
            mini_stream.extend_from_slice(c.sector(id)?);
        }
        for id in chain(&fat, u32_at(bytes, 60), c.count, "mini FAT")? {
            mini_fat.extend(u32s(c.sector(id)?));
        }
    }
    // calamine finds streams by name among all entries, whatever their type, and follows the chain of the
    // first match: every named entry must be readable as a stream.
    for &(start, n, named, workbook) in &entries[1..] {
        if !named {
            continue;
        }
        if n > len {
            return Err(format!("a directory entry declares a stream of {n} bytes, longer than the file"));
        }
        let mut data = Vec::new();
        if n < MINI_CUTOFF {
            for id in chain(&mini_fat, start, mini_count, "mini stream")? {
                let at = id as usize * MINI_SECTOR;
                data.extend_from_slice(mini_stream.get(at..(at + MINI_SECTOR).min(mini_stream.len())).unwrap_or(&[]));
            }
        } else {
            for id in chain(&fat, start, c.count, "stream")? {
                data.extend_from_slice(c.sector(id)?);
            }
        }
        if workbook {
            data.truncate(n as usize);
            check_dimensions(&data)?;
        }
    }
    Ok(())
}

/// calamine opens the stream named `Workbook` (BIFF8) or `Book` (BIFF5).
fn is_workbook_name(entry: &[u8]) -> bool {
    let name_len = (u16_at(entry, 64) as usize).min(64);
    let units: Vec<u16> = entry[..name_len].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let name = String::from_utf16_lossy(&units);
    let name = name.trim_end_matches('\0');
    name == "Workbook" || name == "Book"
}

/// The most cells a sheet may declare in its DIMENSIONS record. calamine 0.38 reserves memory for the whole
/// declared box before reading a cell, so a forged record (found by `import_spreadsheet`: 4 billion rows) made
/// it ask for exabytes and abort the process. Four million cells is far beyond any patient or appointment file.
const MAX_DECLARED_CELLS: u64 = 4_000_000;

/// Walks the workbook stream's BIFF records from the start and from every sheet's offset (BOUNDSHEET), as
/// calamine does, and refuses a DIMENSIONS record whose box is too large or whose bounds run backwards (calamine
/// subtracts them unchecked).
fn check_dimensions(stream: &[u8]) -> Result<(), String> {
    let mut starts = vec![0usize];
    let mut i = 0;
    while i < starts.len() {
        let mut o = starts[i];
        i += 1;
        while let Some(data) = stream.get(o + 4..o + 4 + u16_at(stream, o + 2) as usize) {
            match u16_at(stream, o) {
                0x0085 if data.len() >= 4 => {
                    let at = u32_at(data, 0) as usize;
                    if at < stream.len() && !starts.contains(&at) && starts.len() < 4096 {
                        starts.push(at);
                    }
                }
                0x0200 if declared_cells(data).is_none_or(|cells| cells > MAX_DECLARED_CELLS) => {
                    return Err("a sheet declares dimensions beyond what an import file can hold".into());
                }
                0x000A => break, // EOF of this substream
                _ => {}
            }
            o += 4 + data.len();
        }
    }
    Ok(())
}

/// The cells of a DIMENSIONS record's box, computed as calamine computes it, or `None` where its arithmetic
/// would underflow.
fn declared_cells(r: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u32::from(u16_at(r, 0)), u32::from(u16_at(r, 2)), u32::from(u16_at(r, 4)), u32::from(u16_at(r, 6))),
        14 | 16 => (u32_at(r, 0), u32_at(r, 4), u32::from(u16_at(r, 8)), u32::from(u16_at(r, 10))),
        _ => return Some(0), // calamine refuses the record itself
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return Some(1);
    }
    let rows = u64::from((rl - 1).checked_sub(rf)?) + 1;
    let cols = u64::from((cl - 1).checked_sub(cf)?) + 1;
    Some(rows * cols)
}
