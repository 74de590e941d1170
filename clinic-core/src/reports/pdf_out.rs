//! A report as a printable PDF (A4), written with `pdf-writer` (pure Rust, no I/O, builds for
//! `wasm32-unknown-unknown`, so the browser can render the same file).
//!
//! Text uses the standard Type 1 fonts every PDF reader has (Helvetica for prose, Courier for tables), so
//! nothing is embedded and the text stays extractable (`pdftotext`, screen readers, search). Tables are
//! laid out in the monospaced font so columns line up without font metrics. The fonts use WinAnsiEncoding:
//! characters outside it (most non-Latin scripts) print as `?` — a known limit of the standard fonts.
//! Long tables continue on further pages with their header repeated; every page has a footer with its number.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::error::ClinicError;

use super::{Figures, Report, LATE_CANCELLATION_MINUTES};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 40.0;
const TOP: f32 = 800.0;
const BOTTOM: f32 = 50.0;
/// Characters of 10 pt Helvetica that safely fit the text width (its glyphs average about half an em).
const PROSE_CHARS: usize = 95;
/// Table font size; Courier glyphs are 0.6 em wide, so 8 pt gives 4.8 pt per character (≈107 per line).
const TABLE_PT: f32 = 8.0;

/// One line of the document before pagination.
#[derive(Debug, Clone)]
enum Line {
    Title(String),
    Sub(String),
    Heading(String),
    Text(String),
    /// A table header row (repeated at the top of a continuation page).
    Head(String),
    Row(String),
    Gap,
}

impl Line {
    fn height(&self) -> f32 {
        match self {
            Line::Title(_) => 24.0,
            Line::Sub(_) => 14.0,
            Line::Heading(_) => 22.0,
            Line::Text(_) => 13.0,
            Line::Head(_) | Line::Row(_) => 11.0,
            Line::Gap => 8.0,
        }
    }
}

/// Renders the report. Pure: the same report always gives the same bytes.
pub fn report_to_pdf(report: &Report) -> Result<Vec<u8>, ClinicError> {
    let pages = paginate(document_lines(report));
    Ok(write_pdf(report, &pages))
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "n/a".into())
}

/// Minutes as a short human duration (`45 min`, `26.0 h`, `7.0 d`); `n/a` when absent.
fn lead(v: Option<f64>) -> String {
    match v {
        None => "n/a".into(),
        Some(m) if m.abs() >= 1440.0 => format!("{:.1} d", m / 1440.0),
        Some(m) if m.abs() >= 60.0 => format!("{:.1} h", m / 60.0),
        Some(m) => format!("{m:.0} min"),
    }
}

fn minutes(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.0} min ({})", lead(Some(m)))).unwrap_or_else(|| "n/a".into())
}

/// Left-aligned in `w` columns (cut with `...` when longer).
fn left(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s:<w$}")
    } else {
        let cut: String = s.chars().take(w.saturating_sub(3)).collect();
        format!("{cut}...")
    }
}

fn right(s: &str, w: usize) -> String {
    format!("{s:>w$}")
}

fn row(cells: &[(String, usize, bool)]) -> String {
    let parts: Vec<String> =
        cells.iter().map(|(s, w, is_left)| if *is_left { left(s, *w) } else { right(s, *w) }).collect();
    parts.join("  ").trim_end().to_string()
}

fn document_lines(r: &Report) -> Vec<Line> {
    let mut out = Vec::new();
    let range = match r.last_date() {
        Some(last) => format!("{} to {} (inclusive)", r.from, last),
        None => format!("{} (empty range)", r.from),
    };
    out.push(Line::Title(format!("Clinic report - {}", r.clinic_name)));
    out.push(Line::Sub(format!("Range: {range}, local time zone {}", r.time_zone)));
    let who = if r.practitioners.is_empty() {
        "none".to_string()
    } else {
        r.practitioners.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
    };
    for part in wrap(&format!("Practitioners: {who}"), PROSE_CHARS) {
        out.push(Line::Sub(part));
    }
    out.push(Line::Gap);

    let t = &r.totals;
    let s = &t.by_status;
    out.push(Line::Heading("Summary".into()));
    out.push(Line::Text(format!("Appointments: {}", t.appointments)));
    out.push(Line::Text(format!(
        "By status: proposed {}, booked {}, arrived {}, fulfilled {}, cancelled {}, no-show {}",
        s.proposed, s.booked, s.arrived, s.fulfilled, s.cancelled, s.noshow
    )));
    out.push(Line::Text(format!(
        "Utilization: {} ({} of {} available minutes booked)",
        pct(t.utilization),
        t.booked_minutes,
        t.available_minutes
    )));
    out.push(Line::Text(format!(
        "No-show rate: {} ({} of {} with recorded attendance)",
        pct(t.no_show_rate),
        s.noshow,
        s.arrived + s.fulfilled + s.noshow
    )));
    out.push(Line::Text(format!(
        "Cancellation rate: {} ({} of {}); late cancellations (under {} h): {}",
        pct(t.cancellation_rate),
        s.cancelled,
        t.appointments,
        LATE_CANCELLATION_MINUTES / 60,
        t.late_cancellations
    )));
    out.push(Line::Text(format!("Median cancellation lead time: {}", minutes(t.median_cancellation_lead_minutes))));
    out.push(Line::Text(format!("Median booking lead time: {}", minutes(t.median_booking_lead_minutes))));

    let name_w = 24;
    let everyone = "All selected".to_string();
    let scopes: Vec<(&String, &Figures)> =
        r.practitioners.iter().map(|p| (&p.name, &p.totals)).chain(std::iter::once((&everyone, &r.totals))).collect();

    out.push(Line::Heading("Appointments by status".into()));
    let head = ["Practitioner", "Total", "Proposed", "Booked", "Arrived", "Fulfilled", "Cancelled", "No-show"];
    let widths = [name_w, 6, 8, 7, 7, 9, 9, 7];
    out.push(Line::Head(row(&cells(&head.map(String::from), &widths))));
    for (name, f) in &scopes {
        let b = &f.by_status;
        let vals = [(*name).clone(), f.appointments.to_string(), b.proposed.to_string(), b.booked.to_string()];
        let more = [b.arrived.to_string(), b.fulfilled.to_string(), b.cancelled.to_string(), b.noshow.to_string()];
        let all: Vec<String> = vals.into_iter().chain(more).collect();
        out.push(Line::Row(row(&cells(&all, &widths))));
    }

    out.push(Line::Heading("Utilization and rates per practitioner".into()));
    let head = [
        "Practitioner",
        "Avail min",
        "Booked min",
        "Util.",
        "No-show",
        "Cancel",
        "Late",
        "Med. cancel",
        "Med. booking",
    ];
    let widths = [name_w, 9, 10, 6, 7, 6, 4, 11, 12];
    out.push(Line::Head(row(&cells(&head.map(String::from), &widths))));
    for (name, f) in &scopes {
        let all = [
            (*name).clone(),
            f.available_minutes.to_string(),
            f.booked_minutes.to_string(),
            pct(f.utilization),
            pct(f.no_show_rate),
            pct(f.cancellation_rate),
            f.late_cancellations.to_string(),
            lead(f.median_cancellation_lead_minutes),
            lead(f.median_booking_lead_minutes),
        ];
        out.push(Line::Row(row(&cells(&all, &widths))));
    }

    out.push(Line::Heading("Per ISO week (all selected practitioners)".into()));
    let head = ["Week", "Dates", "Avail min", "Booked min", "Util.", "Appts", "No-show", "Cancel"];
    let widths = [8, 23, 9, 10, 6, 5, 7, 6];
    out.push(Line::Head(row(&cells(&head.map(String::from), &widths))));
    for w in &r.weeks {
        let f = &w.figures;
        let all = [
            w.week.clone(),
            format!("{} to {}", w.first_date, w.last_date),
            f.available_minutes.to_string(),
            f.booked_minutes.to_string(),
            pct(f.utilization),
            f.appointments.to_string(),
            pct(f.no_show_rate),
            pct(f.cancellation_rate),
        ];
        out.push(Line::Row(row(&cells(&all, &widths))));
    }

    out.push(Line::Heading("Per day (all selected practitioners)".into()));
    let head = ["Date", "Day", "Avail min", "Booked min", "Util.", "Appts", "No-shows", "Cancelled"];
    let widths = [10, 3, 9, 10, 6, 5, 8, 9];
    out.push(Line::Head(row(&cells(&head.map(String::from), &widths))));
    for d in &r.days {
        let f = &d.figures;
        let all = [
            d.date.to_string(),
            d.date.format("%a").to_string(),
            f.available_minutes.to_string(),
            f.booked_minutes.to_string(),
            pct(f.utilization),
            f.appointments.to_string(),
            f.by_status.noshow.to_string(),
            f.by_status.cancelled.to_string(),
        ];
        out.push(Line::Row(row(&cells(&all, &widths))));
    }

    out.push(Line::Heading("Per practitioner and ISO week".into()));
    let head = ["Practitioner", "Week", "Avail min", "Booked min", "Util.", "Appts", "No-show", "Cancel"];
    let widths = [name_w, 8, 9, 10, 6, 5, 7, 6];
    out.push(Line::Head(row(&cells(&head.map(String::from), &widths))));
    for p in &r.practitioners {
        for w in &p.weeks {
            let f = &w.figures;
            let all = [
                p.name.clone(),
                w.week.clone(),
                f.available_minutes.to_string(),
                f.booked_minutes.to_string(),
                pct(f.utilization),
                f.appointments.to_string(),
                pct(f.no_show_rate),
                pct(f.cancellation_rate),
            ];
            out.push(Line::Row(row(&cells(&all, &widths))));
        }
    }
    out
}

/// Splits prose at spaces into lines of at most `width` characters (a longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    lines.push(cur);
    lines
}

/// Text cells: the first column left-aligned, numbers right-aligned.
fn cells(values: &[String], widths: &[usize]) -> Vec<(String, usize, bool)> {
    values.iter().zip(widths).enumerate().map(|(i, (v, w))| (v.clone(), *w, i == 0)).collect()
}

/// Splits lines into pages; a table continued on a new page gets its header again, and a heading is never
/// the last thing on a page.
fn paginate(lines: Vec<Line>) -> Vec<Vec<Line>> {
    let mut pages: Vec<Vec<Line>> = Vec::new();
    let mut page: Vec<Line> = Vec::new();
    let mut y = TOP;
    let mut header: Option<String> = None;
    for line in lines {
        let need = match line {
            Line::Heading(_) => line.height() + 3.0 * Line::Row(String::new()).height(),
            _ => line.height(),
        };
        if y - need < BOTTOM && !page.is_empty() {
            pages.push(std::mem::take(&mut page));
            y = TOP;
            if let (Line::Row(_), Some(h)) = (&line, &header) {
                let h = Line::Head(h.clone());
                y -= h.height();
                page.push(h);
            }
        }
        match &line {
            Line::Head(h) => header = Some(h.clone()),
            Line::Row(_) => {}
            _ => header = None,
        }
        y -= line.height();
        page.push(line);
    }
    pages.push(page);
    pages
}

/// WinAnsiEncoding bytes of a text (Latin-1 range plus the typographic extras; anything else is `?`).
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

fn write_pdf(report: &Report, pages: &[Vec<Line>]) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let fonts = [
        (Name(b"F1"), Ref::new(3), Name(b"Helvetica")),
        (Name(b"F2"), Ref::new(4), Name(b"Helvetica-Bold")),
        (Name(b"F3"), Ref::new(5), Name(b"Courier")),
        (Name(b"F4"), Ref::new(6), Name(b"Courier-Bold")),
    ];
    let info_id = Ref::new(7);
    let page_ids: Vec<(Ref, Ref)> =
        (0..pages.len() as i32).map(|i| (Ref::new(8 + 2 * i), Ref::new(9 + 2 * i))).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().map(|(p, _)| *p)).count(pages.len() as i32);
    for (_, id, base) in fonts {
        pdf.type1_font(id).base_font(base).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("Clinic report - {} - {} to {}", report.clinic_name, report.from, report.to);
    pdf.document_info(info_id).title(TextStr(&title)).producer(TextStr("clinic-core"));

    let n = pages.len();
    for (i, (lines, (page_id, content_id))) in pages.iter().zip(&page_ids).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        page.contents(*content_id);
        let mut res = page.resources();
        let mut f = res.fonts();
        for (name, id, _) in fonts {
            f.pair(name, id);
        }
        f.finish();
        res.finish();
        page.finish();

        let mut c = Content::new();
        let mut y = TOP;
        for line in lines {
            y -= line.height();
            let (font, size, text): (Name, f32, &str) = match line {
                Line::Title(t) => (Name(b"F2"), 16.0, t),
                Line::Sub(t) => (Name(b"F1"), 10.0, t),
                Line::Heading(t) => (Name(b"F2"), 12.0, t),
                Line::Text(t) => (Name(b"F1"), 10.0, t),
                Line::Head(t) => (Name(b"F4"), TABLE_PT, t),
                Line::Row(t) => (Name(b"F3"), TABLE_PT, t),
                Line::Gap => continue,
            };
            text_at(&mut c, font, size, LEFT, y + 3.0, text);
            if matches!(line, Line::Head(_)) {
                c.set_line_width(0.5);
                c.move_to(LEFT, y);
                c.line_to(PAGE_W - LEFT, y);
                c.stroke();
            }
        }
        let footer = format!("{} - {} - page {} of {}", report.clinic_name, report.from, i + 1, n);
        text_at(&mut c, Name(b"F1"), 8.0, LEFT, 25.0, &footer);
        pdf.stream(*content_id, &c.finish());
    }
    pdf.finish()
}

fn text_at(c: &mut Content, font: Name, size: f32, x: f32, y: f32, text: &str) {
    c.begin_text();
    c.set_font(font, size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(text)));
    c.end_text();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("toolongword x", 4), ["toolongword", "x"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn encodes_win_ansi() {
        assert_eq!(win_ansi("Zoë – 李"), b"Zo\xeb \x96 ?");
    }
}
