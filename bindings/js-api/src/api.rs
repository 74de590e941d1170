//! The operations both JavaScript builds expose, on DTOs. Each one converts, calls the engine, converts back.

use clinic_core::import::{write_rejections_csv, AppointmentRows, BoxedRecords, ImportOptions, PatientRows, Rejection};
use clinic_core::{Calendar, ClinicError, ClinicId};

use crate::convert;
use crate::dto::*;
use crate::error::JsApiError;

/// A clinic's calendar, built once and queried many times (checks and searches read it; nothing mutates it).
#[derive(Debug, Clone)]
pub struct JsCalendar {
    calendar: Calendar,
}

impl JsCalendar {
    pub fn new(input: &CalendarInput) -> Result<JsCalendar, JsApiError> {
        Ok(JsCalendar { calendar: convert::calendar(input)? })
    }

    /// One booking check; alternatives are searched for a rejection unless `options.alternatives` is false.
    pub fn check(&self, request: &BookingRequestDto, options: &CheckOptions) -> VerdictDto {
        let req = convert::booking_request(request);
        let verdict = if options.alternatives.unwrap_or(true) {
            self.calendar.check(&req, options.now.0, options.may_overbook)
        } else {
            self.evaluate(&req, options)
        };
        convert::verdict(&verdict)
    }

    /// Many checks in one call (one crossing of the JS boundary); alternatives only when asked for.
    pub fn check_many(&self, requests: &[BookingRequestDto], options: &CheckOptions) -> Vec<VerdictDto> {
        let with_alternatives = options.alternatives.unwrap_or(false);
        requests
            .iter()
            .map(|r| {
                let req = convert::booking_request(r);
                let v = if with_alternatives {
                    self.calendar.check(&req, options.now.0, options.may_overbook)
                } else {
                    self.evaluate(&req, options)
                };
                convert::verdict(&v)
            })
            .collect()
    }

    fn evaluate(&self, req: &clinic_core::BookingRequest, options: &CheckOptions) -> clinic_core::Verdict {
        let (violations, overbooked) = self.calendar.evaluate(req, options.now.0, options.may_overbook);
        clinic_core::Verdict {
            accepted: violations.is_empty(),
            violations,
            overbooked,
            alternatives: Default::default(),
        }
    }

    /// Free starts, sorted by (start, practitioner).
    pub fn find_available_slots(
        &self,
        query: &SlotQueryDto,
        now: &crate::Instant,
    ) -> Result<Vec<SlotOfferDto>, JsApiError> {
        let slots = self
            .calendar
            .find_available_slots(&convert::slot_query(query), now.0)
            .map_err(|e| JsApiError::from_core("query", e))?;
        Ok(slots.iter().map(convert::slot_offer).collect())
    }
}

/// Without spreadsheet support only CSV is read; a spreadsheet is refused by its content, with a hint.
#[cfg(not(feature = "spreadsheets"))]
fn csv_only(bytes: &[u8], opts: &ImportOptions) -> Result<(), ClinicError> {
    use clinic_core::import::{sniff_kind, FileKind};
    if sniff_kind(bytes) != FileKind::Csv {
        return Err(ClinicError::rule(
            clinic_core::ErrorCode::ImportMalformedFile,
            "this build reads CSV only (XLS and XLSX are read by the server and the Node package): save the sheet as CSV",
        ));
    }
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(ClinicError::rule(
            clinic_core::ErrorCode::ImportFileTooLarge,
            format!("the file has {} bytes; at most {} are accepted", bytes.len(), opts.max_file_bytes),
        ));
    }
    Ok(())
}

fn patient_rows<'a>(
    bytes: &'a [u8],
    clinic: ClinicId,
    opts: &ImportOptions,
) -> Result<PatientRows<BoxedRecords<'a>>, ClinicError> {
    #[cfg(feature = "spreadsheets")]
    return PatientRows::from_bytes(bytes, clinic, opts);
    #[cfg(not(feature = "spreadsheets"))]
    {
        csv_only(bytes, opts)?;
        PatientRows::from_csv(bytes, clinic, opts)
    }
}

fn appointment_rows<'a>(
    bytes: &'a [u8],
    opts: &ImportOptions,
) -> Result<AppointmentRows<BoxedRecords<'a>>, ClinicError> {
    #[cfg(feature = "spreadsheets")]
    return AppointmentRows::from_bytes(bytes, opts);
    #[cfg(not(feature = "spreadsheets"))]
    {
        csv_only(bytes, opts)?;
        AppointmentRows::from_csv(bytes, opts)
    }
}

/// Counts a file's accepted and rejected rows, converting the accepted ones with `convert` when `keep`, and
/// gathers every rejection (a row may have several).
fn tally<T, A>(
    rows: impl IntoIterator<Item = Result<T, Vec<Rejection>>>,
    keep: bool,
    convert: impl Fn(&T) -> A,
) -> (u64, u64, Vec<A>, Vec<Rejection>) {
    let (mut accepted_count, mut rejected_count) = (0u64, 0u64);
    let (mut accepted, mut rejections) = (Vec::new(), Vec::new());
    for r in rows {
        match r {
            Ok(row) => {
                accepted_count += 1;
                if keep {
                    accepted.push(convert(&row));
                }
            }
            Err(rs) => {
                rejected_count += 1;
                rejections.extend(rs);
            }
        }
    }
    (accepted_count, rejected_count, accepted, rejections)
}

fn rejections_csv(rejections: &[Rejection]) -> Result<String, JsApiError> {
    let mut csv = Vec::new();
    write_rejections_csv(&mut csv, rejections).map_err(|e| JsApiError::from_core("", e))?;
    Ok(String::from_utf8_lossy(&csv).into_owned())
}

/// Reads an appointments file (CSV, or XLS/XLSX where spreadsheets are read) without a store: every row's
/// syntax (required cells, start date-time, cell lengths). Names (patient MRN, practitioner, type, room)
/// and the booking rules need the clinic's data: `Scheduler.importAppointments` in dry-run mode checks them.
pub fn validate_appointment_import(
    bytes: &[u8],
    options: &ImportOptionsDto,
) -> Result<AppointmentImportDto, JsApiError> {
    let opts = convert::import_options(options);
    let rows = appointment_rows(bytes, &opts).map_err(|e| JsApiError::from_core("data", e))?;
    let (accepted_count, rejected_count, accepted, rejections) =
        tally(rows, options.include_accepted.unwrap_or(true), convert::appointment_row);
    Ok(AppointmentImportDto {
        accepted_count,
        rejected_count,
        accepted,
        rejections_csv: rejections_csv(&rejections)?,
        rejections: rejections.iter().map(convert::rejection).collect(),
    })
}

/// Validates and normalizes a patients file (CSV, XLS or XLSX) without storing anything: the accepted
/// patients and the rejection report, row by row.
pub fn validate_patient_import(bytes: &[u8], options: &ImportOptionsDto) -> Result<PatientImportDto, JsApiError> {
    let opts = convert::import_options(options);
    let clinic_id = options.clinic_id.map(|c| ClinicId(c.0)).unwrap_or_default();
    let rows = patient_rows(bytes, clinic_id, &opts).map_err(|e| JsApiError::from_core("data", e))?;
    let (accepted_count, rejected_count, accepted, rejections) =
        tally(rows, options.include_accepted.unwrap_or(true), convert::accepted_row);
    Ok(PatientImportDto {
        accepted_count,
        rejected_count,
        accepted,
        rejections_csv: rejections_csv(&rejections)?,
        rejections: rejections.iter().map(convert::rejection).collect(),
    })
}
