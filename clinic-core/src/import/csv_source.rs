//! CSV as a stream of records. The delimiter (`,` `;` or tab) is sniffed from the header line, a UTF-8 BOM
//! is dropped, quoted fields and CRLF are handled by the `csv` crate.
//!
//! Row numbers are the line on which a record starts (header = line 1), which is what a text editor shows
//! and, for files without line breaks inside quoted cells, the spreadsheet row too.

use csv::{ByteRecord, Reader, ReaderBuilder, StringRecord};
use std::io::{Chain, Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{malformed, Cell, ImportOptions, RawRecord, Rejection, SourceItem, Table};
use crate::error::{ClinicError, ErrorCode};

/// How much of the file is looked at to sniff the delimiter and tell text from binary.
const SNIFF_BYTES: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The longest record read. The `csv` crate holds a record whole before it returns it, so an unclosed quote
/// would otherwise pull the rest of the file into memory; past this the stream ends with a rejection.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

type Input<R> = Bounded<Chain<Cursor<Vec<u8>>, R>>;

/// Fails a read once the record being read has grown past [`MAX_RECORD_BYTES`]: `start` is where the
/// current record began (kept up to date by [`CsvRecords`]), `read` how far the reader has got.
#[derive(Debug)]
pub struct Bounded<R> {
    inner: R,
    read: u64,
    start: Arc<AtomicU64>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read.saturating_sub(self.start.load(Ordering::Relaxed)) > MAX_RECORD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a record is longer than {MAX_RECORD_BYTES} bytes (an unclosed quote?)"),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Records under the header, pulled from the reader one at a time.
#[derive(Debug)]
pub struct CsvRecords<R: Read> {
    rdr: Reader<Input<R>>,
    rec: ByteRecord,
    width: usize,
    done: bool,
    record_start: Arc<AtomicU64>,
    /// The reader reports the line a record starts on, except that after a CRLF record end it has not yet
    /// counted that end's `\n`; the header's line ending tells which kind the file uses.
    line_offset: u64,
}

/// Reads the first bytes (up to the end of the header line, at most [`SNIFF_BYTES`]) without losing them.
fn peek<R: Read>(r: &mut R) -> Result<Vec<u8>, ClinicError> {
    let mut head = Vec::with_capacity(8 * 1024);
    let mut buf = [0u8; 8 * 1024];
    while head.len() < SNIFF_BYTES && !head.contains(&b'\n') {
        let n = r.read(&mut buf).map_err(|e| malformed(format!("cannot read the file: {e}")))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// The delimiter that occurs most often outside quotes on the first line (`,` when none does).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the sniff window is fine; an invalid byte is not.
        Err(e) => e.error_len().is_none(),
    }
}

pub fn csv_table<R: Read>(mut r: R, _opts: &ImportOptions) -> Result<Table<CsvRecords<R>>, ClinicError> {
    let mut head = peek(&mut r)?;
    if head.starts_with(BOM) {
        head.drain(..BOM.len());
    }
    if !is_text(&head) {
        return Err(malformed(
            "the file is not UTF-8 text (a binary file, or a CSV saved in another encoding: save it as \"CSV UTF-8\")",
        ));
    }
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("the file is empty: it has no header row"));
    }
    let delimiter = sniff_delimiter(&head);
    let record_start = Arc::new(AtomicU64::new(0));
    let crlf = head.iter().position(|&b| b == b'\n').is_some_and(|i| i > 0 && head[i - 1] == b'\r');
    let mut rdr = ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(Bounded {
        inner: Cursor::new(head).chain(r),
        read: 0,
        start: record_start.clone(),
    });
    let mut first = ByteRecord::new();
    match rdr.read_byte_record(&mut first) {
        Ok(true) => {}
        Ok(false) => return Err(malformed("the file is empty: it has no header row")),
        Err(e) => return Err(malformed(format!("the header row cannot be read: {e}"))),
    }
    let header = first
        .iter()
        .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| malformed("the header row is not UTF-8 text"))?;
    let width = header.len();
    Ok(Table {
        header,
        records: CsvRecords {
            rdr,
            rec: ByteRecord::new(),
            width,
            done: false,
            record_start,
            line_offset: u64::from(crlf),
        },
    })
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        while !self.done {
            let (start_byte, start_line) = (self.rdr.position().byte(), self.rdr.position().line());
            self.record_start.store(start_byte, Ordering::Relaxed);
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(false) => self.done = true,
                Err(e) => {
                    // An I/O error mid-stream: nothing after it can be trusted.
                    self.done = true;
                    let row = e.position().map(|p| p.line()).unwrap_or(start_line) + self.line_offset;
                    return Some(Err(Rejection::new(
                        row,
                        "",
                        ErrorCode::ImportMalformedFile,
                        format!("the file cannot be read past here: {e}"),
                        "",
                    )));
                }
                Ok(true) => {
                    let row = self.rec.position().map(|p| p.line() + self.line_offset).unwrap_or(0);
                    if self.rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue; // a blank line, or one of only delimiters, as spreadsheets append
                    }
                    if self.rec.len() != self.width {
                        let shown = String::from_utf8_lossy(self.rec.as_slice()).into_owned();
                        return Some(Err(Rejection::new(
                            row,
                            "",
                            ErrorCode::ImportMalformedRow,
                            format!(
                                "the row has {} fields but the header has {} (a stray delimiter or an unclosed quote?)",
                                self.rec.len(),
                                self.width
                            ),
                            shown,
                        )));
                    }
                    // One UTF-8 check for the whole record (fields end on ASCII delimiters), the buffer kept.
                    let rec = std::mem::take(&mut self.rec);
                    let text = match StringRecord::from_byte_record(rec) {
                        Ok(t) => t,
                        Err(e) => {
                            self.rec = e.into_byte_record();
                            let bad = self.rec.iter().find(|f| std::str::from_utf8(f).is_err()).unwrap_or_default();
                            return Some(Err(Rejection::new(
                                row,
                                "",
                                ErrorCode::ImportMalformedRow,
                                "the row is not UTF-8 text",
                                String::from_utf8_lossy(bad),
                            )));
                        }
                    };
                    let cells = text
                        .iter()
                        .map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) })
                        .collect();
                    self.rec = text.into_byte_record();
                    return Some(Ok(RawRecord { row, cells }));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1,2;3"), b';');
        assert_eq!(sniff_delimiter(b"\"a,b\";c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a\n"), b',');
    }

    #[test]
    fn bom_crlf_and_line_numbers() {
        let data = "\u{feff}given;family\r\n\"Ada\";Lovelace\r\n\"multi\nline\";x\r\nA;B\r\n";
        let t = csv_table(data.as_bytes(), &ImportOptions::default()).unwrap();
        assert_eq!(t.header, ["given", "family"]);
        let rows: Vec<u64> = t.records.map(|r| r.unwrap().row).collect();
        assert_eq!(rows, [2, 3, 5]);
        let lf = "given,family\nAda,Lovelace\n\"multi\nline\",x\nA,B\n";
        let rows: Vec<u64> =
            csv_table(lf.as_bytes(), &ImportOptions::default()).unwrap().records.map(|r| r.unwrap().row).collect();
        assert_eq!(rows, [2, 3, 5]);
    }

    #[test]
    fn an_unclosed_quote_cannot_pull_the_whole_file_into_memory() {
        let mut data = String::from("given,family\nAda,Lovelace\n\"Unclosed,x\n");
        while (data.len() as u64) < 3 * MAX_RECORD_BYTES {
            data.push_str("Grace,Hopper\n");
        }
        let t = csv_table(data.as_bytes(), &ImportOptions::default()).unwrap();
        let items: Vec<SourceItem> = t.records.collect();
        assert_eq!(items.len(), 2, "one good row, then the stream ends");
        let rej = items[1].as_ref().unwrap_err();
        assert_eq!((rej.row, rej.code), (3, ErrorCode::ImportMalformedFile), "{rej:?}");
        assert!(rej.message.contains("unclosed quote"), "{}", rej.message);
    }

    #[test]
    fn binary_is_refused() {
        let e = csv_table(&b"\x00\x01\x02PNG\xff"[..], &ImportOptions::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ImportMalformedFile);
        assert_eq!(csv_table(&b""[..], &ImportOptions::default()).unwrap_err().code(), ErrorCode::ImportMalformedFile);
    }
}
