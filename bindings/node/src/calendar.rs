//! `Calendar`: a clinic's calendar built once from plain objects and held by the JS object, so repeated
//! checks and searches pay only for their own arguments.

use std::sync::Arc;

use clinic_js_api::dto::*;
use clinic_js_api::{bad_argument, decode_json, Instant, JsCalendar};
use napi::bindgen_prelude::*;
use napi::{Env, ValueType};
use napi_derive::napi;

use crate::boundary::{arg, js_error, out};
use crate::task::Work;

/// The `now` of a search: an RFC 3339 string.
fn now_arg(env: &Env, value: Unknown<'_>) -> Result<Instant> {
    if value.get_type()? != ValueType::String {
        return Err(js_error(env, bad_argument("now", "an RFC 3339 date-time string")));
    }
    let s = value.coerce_to_string()?.into_utf8()?.into_owned()?;
    let quoted = serde_json::Value::String(s).to_string();
    decode_json("now", &quoted).map_err(|e| js_error(env, e))
}

/// A clinic's calendar (clinic, practitioners, rooms, types, schedules, existing appointments), built once
/// and queried many times.
#[napi(js_name = "Calendar")]
#[derive(Debug)]
pub struct Calendar {
    inner: Arc<JsCalendar>,
}

#[napi]
impl Calendar {
    /// Validates every entity (all problems reported at once, with their place in `input`) and indexes the
    /// appointments.
    #[napi(constructor, ts_args_type = "input: CalendarInput")]
    pub fn new(env: Env, input: Unknown<'_>) -> Result<Self> {
        let input: CalendarInput = arg(&env, "calendar", input, "a CalendarInput object")?;
        let inner = JsCalendar::new(&input).map_err(|e| js_error(&env, e))?;
        Ok(Calendar { inner: Arc::new(inner) })
    }

    /// Checks one booking against every rule; a rejection comes with the nearest alternatives.
    #[napi(ts_args_type = "request: BookingRequest, options: CheckOptions", ts_return_type = "Verdict")]
    pub fn check<'e>(&self, env: &'e Env, request: Unknown<'_>, options: Unknown<'_>) -> Result<Unknown<'e>> {
        let request: BookingRequestDto = arg(env, "request", request, "a BookingRequest object")?;
        let options: CheckOptions = arg(env, "options", options, "a CheckOptions object")?;
        out(env, &self.inner.check(&request, &options))
    }

    /// Checks many bookings in one call (no alternatives unless `options.alternatives`).
    #[napi(ts_args_type = "requests: BookingRequest[], options: CheckOptions", ts_return_type = "Verdict[]")]
    pub fn check_many<'e>(&self, env: &'e Env, requests: Unknown<'_>, options: Unknown<'_>) -> Result<Unknown<'e>> {
        let requests: Vec<BookingRequestDto> = arg(env, "requests", requests, "an array of BookingRequest")?;
        let options: CheckOptions = arg(env, "options", options, "a CheckOptions object")?;
        out(env, &self.inner.check_many(&requests, &options))
    }

    /// `checkMany` on the thread pool.
    #[napi(ts_args_type = "requests: BookingRequest[], options: CheckOptions", ts_return_type = "Promise<Verdict[]>")]
    pub fn check_many_async(
        &self,
        env: Env,
        requests: Unknown<'_>,
        options: Unknown<'_>,
    ) -> Result<AsyncTask<Work<Vec<VerdictDto>>>> {
        let requests: Vec<BookingRequestDto> = arg(&env, "requests", requests, "an array of BookingRequest")?;
        let options: CheckOptions = arg(&env, "options", options, "a CheckOptions object")?;
        let cal = Arc::clone(&self.inner);
        Ok(Work::task(move || Ok(cal.check_many(&requests, &options))))
    }

    /// Free starts of a type, sorted by (start, practitioner).
    #[napi(ts_args_type = "query: SlotQuery, now: string", ts_return_type = "SlotOffer[]")]
    pub fn find_available_slots<'e>(&self, env: &'e Env, query: Unknown<'_>, now: Unknown<'_>) -> Result<Unknown<'e>> {
        let query: SlotQueryDto = arg(env, "query", query, "a SlotQuery object")?;
        let now = now_arg(env, now)?;
        let slots = self.inner.find_available_slots(&query, &now).map_err(|e| js_error(env, e))?;
        out(env, &slots)
    }

    /// `findAvailableSlots` on the thread pool.
    #[napi(ts_args_type = "query: SlotQuery, now: string", ts_return_type = "Promise<SlotOffer[]>")]
    pub fn find_available_slots_async(
        &self,
        env: Env,
        query: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<AsyncTask<Work<Vec<SlotOfferDto>>>> {
        let query: SlotQueryDto = arg(&env, "query", query, "a SlotQuery object")?;
        let now = now_arg(&env, now)?;
        let cal = Arc::clone(&self.inner);
        Ok(Work::task(move || cal.find_available_slots(&query, &now)))
    }
}
