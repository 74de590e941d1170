// The API's shape and its behaviour on bad input, for both builds: every bad argument is a thrown Error
// whose `.code` is the engine's code and whose `.errors` locate the problem — never a crash.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { impls } from "./impls.mjs";

const CLINIC = "00000000-0000-0000-0000-000000000001";
const DR_A = "00000000-0000-0000-0000-000000000011";
const DR_B = "00000000-0000-0000-0000-000000000012";
const TYPE = "00000000-0000-0000-0000-000000000031";
const PAT1 = "00000000-0000-0000-0000-000000000051";
const PAT2 = "00000000-0000-0000-0000-000000000052";
const APPT = "00000000-0000-0000-0000-000000000061";
const NOW = "2027-01-25T12:00:00Z";

const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"].map((weekday) => ({ weekday, start: "09:00", end: "17:00" }));
const schedule = (id, practitioner) => ({
  id,
  resource: { kind: "practitioner", id: practitioner },
  weeklyHours: weekdays.map((w) => ({ ...w })),
  breaks: [{ start: "12:00", end: "13:00" }],
  validFrom: "2027-01-01",
  granularityMinutes: 15,
});

function input() {
  return structuredClone({
    clinic: { id: CLINIC, name: "Test Clinic", timeZone: "America/New_York" },
    practitioners: [
      { id: DR_A, name: "Dr Ada" },
      { id: DR_B, name: "Dr Bo" },
    ],
    appointmentTypes: [{ id: TYPE, name: "Consultation", durationMinutes: 30 }],
    schedules: [schedule("00000000-0000-0000-0000-000000000041", DR_A), schedule("00000000-0000-0000-0000-000000000042", DR_B)],
    appointments: [
      { id: APPT, patientId: PAT1, practitionerId: DR_A, appointmentTypeId: TYPE, start: "2027-02-01T15:00:00Z" },
    ],
  });
}

const request = (over = {}) => ({
  patientId: PAT2,
  practitionerId: DR_A,
  appointmentTypeId: TYPE,
  start: "2027-02-01T15:00:00Z",
  ...over,
});

/** Asserts `fn` throws an Error with `.code === code`; returns it. */
function throwsCode(fn, code, loc) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a thrown ${code}`);
  assert.ok(err instanceof Error, `an Error instance, got ${typeof err}`);
  assert.equal(err.code, code, `code (message: ${err.message})`);
  assert.ok(Array.isArray(err.errors), "errors array");
  if (loc !== undefined) {
    assert.ok(err.errors.some((x) => x.loc === loc), `a problem at ${loc}: ${JSON.stringify(err.errors)}`);
  }
  for (const x of err.errors) {
    assert.equal(typeof x.loc, "string");
    assert.match(x.code, /^[A-Z_]+$/);
    assert.equal(typeof x.message, "string");
  }
  return err;
}

for (const { name, lib } of impls) {
  describe(`${name}: API`, () => {
    const cal = new lib.Calendar(input());

    it("exports the same names as the other build", () => {
      assert.equal(typeof lib.Calendar, "function");
      assert.equal(typeof lib.validatePatientImport, "function");
      assert.equal(typeof lib.validateAppointmentImport, "function");
      for (const m of ["check", "checkMany", "findAvailableSlots"]) assert.equal(typeof cal[m], "function", m);
    });

    it("rejects a conflicting booking with codes, conflicting ids and alternatives", () => {
      const v = cal.check(request(), { now: NOW });
      assert.equal(v.accepted, false);
      assert.deepEqual(v.codes, ["SLOT_CONFLICT_PRACTITIONER"]);
      assert.deepEqual(v.violations[0].conflicting, [APPT]);
      assert.equal(typeof v.violations[0].message, "string");
      assert.ok(v.alternatives.samePractitioner.length > 0, "nearest free slots of the same practitioner");
      assert.deepEqual(
        v.alternatives.otherPractitioners.map((s) => s.practitionerId),
        [DR_B],
        "the same time with the other practitioner",
      );
      for (const s of v.alternatives.samePractitioner) {
        assert.equal(s.practitionerId, DR_A);
        assert.equal(cal.check(request({ start: s.start }), { now: NOW }).accepted, true, `offered ${s.start} is bookable`);
      }
    });

    it("accepts a free slot; instants with offsets come back in UTC", () => {
      const v = cal.check(request({ start: "2027-02-01T11:00:00-05:00" }), { now: NOW });
      assert.deepEqual(v, {
        accepted: true,
        codes: [],
        violations: [],
        overbooked: false,
        alternatives: { samePractitioner: [], otherPractitioners: [] },
      });
      const slots = cal.findAvailableSlots(
        { appointmentTypeId: TYPE, practitionerIds: [DR_A], from: "2027-02-01T14:00:00Z", to: "2027-02-01T16:00:00Z" },
        NOW,
      );
      assert.deepEqual(
        slots.map((s) => s.start),
        ["2027-02-01T14:00:00Z", "2027-02-01T14:15:00Z", "2027-02-01T14:30:00Z", "2027-02-01T15:30:00Z", "2027-02-01T15:45:00Z"],
      );
      assert.deepEqual(slots[0], { start: "2027-02-01T14:00:00Z", end: "2027-02-01T14:30:00Z", practitionerId: DR_A });
    });

    it("checkMany answers each request like check without alternatives", () => {
      const reqs = [request(), request({ start: "2027-02-01T16:00:00Z" }), request({ start: "2027-02-01T12:07:00Z" })];
      const many = cal.checkMany(reqs, { now: NOW });
      assert.equal(many.length, 3);
      assert.deepEqual(many.map((v) => v.codes), reqs.map((r) => cal.check(r, { now: NOW }).codes));
      assert.ok(many.every((v) => v.alternatives.samePractitioner.length === 0));
      assert.deepEqual(cal.checkMany([], { now: NOW }), []);
    });

    it("overbooking needs mayOverbook (rule 6)", () => {
      const refused = cal.check(request({ overbook: true }), { now: NOW });
      assert.equal(refused.accepted, false);
      assert.ok(refused.codes.includes("OVERBOOK_NOT_PERMITTED"), `${refused.codes}`);
      const v = cal.check(request({ overbook: true }), { now: NOW, mayOverbook: true });
      assert.equal(v.accepted, true);
      assert.equal(v.overbooked, true);
    });

    it("a search with an inverted range throws INVALID_TIME_RANGE", () => {
      throwsCode(
        () => cal.findAvailableSlots({ appointmentTypeId: TYPE, from: "2027-02-02T00:00:00Z", to: "2027-02-01T00:00:00Z" }, NOW),
        "INVALID_TIME_RANGE",
      );
    });

    it("an unknown type in a search is NOT_FOUND", () => {
      throwsCode(
        () => cal.findAvailableSlots({ appointmentTypeId: PAT1, from: "2027-02-01T00:00:00Z", to: "2027-02-02T00:00:00Z" }, NOW),
        "NOT_FOUND",
      );
    });

    it("validates a patients CSV: accepted rows normalized, rejections reported per row and column", () => {
      const csv =
        "\ufeffmrn;given_name;family_name;date_of_birth;phone;email\r\n" +
        "M1; Ada ;Lovelace;10/12/1980;020 7946 0000; Ada@Example.ORG\r\n" +
        "M2;Grace;Hopper;1980-02-30;12345;grace@@example.org\r\n" +
        "M1;Alan;Turing;23/06/1912;;\r\n";
      for (const data of [csv, new TextEncoder().encode(csv)]) {
        const r = lib.validatePatientImport(data, { defaultRegion: "GB", clinicId: CLINIC, today: "2027-01-01" });
        assert.equal(r.acceptedCount, 1);
        assert.equal(r.rejectedCount, 2);
        const p = r.accepted[0];
        assert.equal(p.row, 2);
        assert.equal(p.patient.givenName, "Ada");
        assert.equal(p.patient.dateOfBirth, "1980-12-10");
        assert.equal(p.patient.contact.phone, "+442079460000");
        assert.equal(p.patient.contact.email, "ada@example.org");
        assert.equal(p.patient.clinicId, CLINIC);
        const codes = r.rejections.map((x) => `${x.row}:${x.column}:${x.code}`).sort();
        assert.deepEqual(codes, ["3:date_of_birth:INVALID_DATE", "3:email:INVALID_EMAIL", "3:phone:INVALID_PHONE", "4:mrn:DUPLICATE_MRN"]);
        assert.match(r.rejectionsCsv, /^row,column,code,message,value\n/);
      }
      const counts = lib.validatePatientImport(csv, { defaultRegion: "GB", includeAccepted: false });
      assert.equal(counts.acceptedCount, 1);
      assert.deepEqual(counts.accepted, []);
    });

    it("validates an appointments file row by row (syntax; names need a store)", () => {
      const csv =
        "mrn,practitioner,type,start,room\n" +
        "M1,Dr Ada,Consultation,2027-02-01 09:30,\n" +
        "M2,Dr Ada,Consultation,2027-02-01T09:30:00+01:00,Room 1\n" +
        ",Dr Ada,Consultation,2027-02-30 09:30,\n";
      const r = lib.validateAppointmentImport(csv);
      assert.equal(r.acceptedCount, 2);
      assert.equal(r.rejectedCount, 1);
      assert.deepEqual(r.accepted[0], { row: 2, mrn: "M1", practitioner: "Dr Ada", appointmentType: "Consultation", start: "2027-02-01T09:30:00", startIsLocal: true });
      assert.deepEqual([r.accepted[1].start, r.accepted[1].startIsLocal, r.accepted[1].room], ["2027-02-01T08:30:00Z", false, "Room 1"]);
      assert.deepEqual(r.rejections.map((x) => `${x.row}:${x.column}:${x.code}`).sort(), ["4:mrn:REQUIRED", "4:start:INVALID_DATE"]);
      assert.match(r.rejectionsCsv, /^row,column,code,message,value\n/);
      assert.deepEqual(lib.validateAppointmentImport(csv, { includeAccepted: false }).accepted, []);
      throwsCode(() => lib.validateAppointmentImport("mrn,start\nM1,2027-01-01 09:00\n"), "IMPORT_MISSING_COLUMN");
      throwsCode(() => lib.validateAppointmentImport(csv, { maxCellChars: -1 }), "INVALID_JSON", "options.maxCellChars");
    });

    it("JS Dates are instants; BigInt and cycles are INVALID_JSON", () => {
      const v = cal.check(request({ start: new Date("2027-02-01T16:00:00Z") }), { now: new Date(NOW) });
      assert.equal(v.accepted, true);
      throwsCode(() => cal.check(request({ overbook: 1n }), { now: NOW }), "INVALID_JSON", "request");
      const cyclic = request();
      cyclic.self = cyclic;
      throwsCode(() => cal.check(cyclic, { now: NOW }), "INVALID_JSON", "request");
      throwsCode(() => cal.check(request({ start: new Date("nonsense") }), { now: NOW }), "INVALID_JSON", "request.start");
    });

    it("a file without the needed columns is IMPORT_MISSING_COLUMN; binary junk is IMPORT_MALFORMED_FILE", () => {
      throwsCode(() => lib.validatePatientImport("foo,bar\n1,2\n"), "IMPORT_MISSING_COLUMN");
      throwsCode(() => lib.validatePatientImport(new Uint8Array([0, 159, 146, 150, 0, 1, 2, 255, 254])), "IMPORT_MALFORMED_FILE");
    });
  });

  describe(`${name}: bad input is a typed error, never a crash`, () => {
    const cal = new lib.Calendar(input());

    it("the calendar's problems are all reported, located in camelCase", () => {
      const bad = input();
      bad.clinic.timeZone = "Mars/Olympus";
      bad.practitioners[1].name = "   ";
      bad.schedules[0].weeklyHours[1] = { weekday: "Tue", start: "17:00", end: "09:00" };
      bad.appointmentTypes[0].durationMinutes = 0;
      const err = throwsCode(() => new lib.Calendar(bad), "INVALID_TIME_ZONE");
      const got = err.errors.map((e) => `${e.loc}:${e.code}`);
      for (const want of [
        "calendar.clinic.timeZone:INVALID_TIME_ZONE",
        "calendar.practitioners[1].name:REQUIRED",
        "calendar.appointmentTypes[0].durationMinutes:INVALID_DURATION",
      ]) {
        assert.ok(got.includes(want), `${want} in ${got}`);
      }
      assert.ok(got.some((g) => g.startsWith("calendar.schedules[0].weeklyHours[1]")), `${got}`);
    });

    it("null, undefined and non-objects as arguments", () => {
      for (const v of [null, undefined, 42, "calendar", true]) {
        throwsCode(() => new lib.Calendar(v), "INVALID_JSON", "calendar");
        throwsCode(() => cal.check(v, { now: NOW }), "INVALID_JSON", "request");
        throwsCode(() => cal.check(request(), v), "INVALID_JSON", "options");
        throwsCode(() => cal.checkMany(v, { now: NOW }), "INVALID_JSON", "requests");
        throwsCode(() => cal.findAvailableSlots(v, NOW), "INVALID_JSON", "query");
      }
      for (const v of [null, undefined, 42, {}, []]) {
        throwsCode(() => cal.findAvailableSlots({ appointmentTypeId: TYPE, from: NOW, to: NOW }, v), "INVALID_JSON", "now");
        if (v !== undefined && !Array.isArray(v) && typeof v !== "object") {
          throwsCode(() => lib.validatePatientImport(v), "INVALID_JSON", "data");
        }
      }
      throwsCode(() => lib.validatePatientImport({}), "INVALID_JSON", "data");
      throwsCode(() => lib.validatePatientImport(null), "INVALID_JSON", "data");
    });

    it("missing fields are REQUIRED at their place", () => {
      const { start, ...noStart } = request();
      void start;
      throwsCode(() => cal.check(noStart, { now: NOW }), "REQUIRED", "request.start");
      throwsCode(() => cal.check(request(), {}), "REQUIRED", "options.now");
      const bad = input();
      delete bad.clinic.timeZone;
      throwsCode(() => new lib.Calendar(bad), "REQUIRED", "calendar.clinic.timeZone");
    });

    it("wrong types are INVALID_JSON at their place", () => {
      throwsCode(() => cal.check(request({ patientId: 42 }), { now: NOW }), "INVALID_JSON", "request.patientId");
      throwsCode(() => cal.check(request({ overbook: "yes" }), { now: NOW }), "INVALID_JSON", "request.overbook");
      throwsCode(() => cal.checkMany([request(), "x"], { now: NOW }), "INVALID_JSON", "requests[1]");
      const bad = input();
      bad.practitioners = { id: DR_A };
      throwsCode(() => new lib.Calendar(bad), "INVALID_JSON", "calendar.practitioners");
      const bad2 = input();
      bad2.schedules[1].weeklyHours[0].weekday = "Caturday";
      throwsCode(() => new lib.Calendar(bad2), "INVALID_JSON", "calendar.schedules[1].weeklyHours[0].weekday");
    });

    it("bad ids and instants carry INVALID_ID / INVALID_DATE", () => {
      throwsCode(() => cal.check(request({ patientId: "not-a-uuid" }), { now: NOW }), "INVALID_ID", "request.patientId");
      throwsCode(() => cal.check(request({ start: "2027-02-01 15:00" }), { now: NOW }), "INVALID_DATE", "request.start");
      throwsCode(() => cal.check(request(), { now: "yesterday" }), "INVALID_DATE", "options.now");
      throwsCode(() => cal.findAvailableSlots({ appointmentTypeId: TYPE, from: NOW, to: NOW }, "2027-13-01T00:00:00Z"), "INVALID_DATE", "now");
      const bad = input();
      bad.schedules[0].validFrom = "2027-02-30";
      throwsCode(() => new lib.Calendar(bad), "INVALID_DATE", "calendar.schedules[0].validFrom");
    });

    it("NaN, Infinity, fractions, negatives and out-of-range integers", () => {
      for (const n of [NaN, Infinity, -Infinity, 1.5, -1, 2 ** 32, 2 ** 64, Number.MAX_VALUE]) {
        const bad = input();
        bad.appointmentTypes[0].durationMinutes = n;
        throwsCode(() => new lib.Calendar(bad), "INVALID_JSON", "calendar.appointmentTypes[0].durationMinutes");
        throwsCode(
          () => cal.findAvailableSlots({ appointmentTypeId: TYPE, from: NOW, to: "2027-01-26T12:00:00Z", limit: n }, NOW),
          "INVALID_JSON",
          "query.limit",
        );
      }
      const big = input();
      big.appointmentTypes[0].durationMinutes = 4_000_000;
      throwsCode(() => new lib.Calendar(big), "INVALID_DURATION");
    });

    it("huge strings are refused with a bounded message", () => {
      const huge = "x".repeat(5_000_000);
      const err = throwsCode(() => cal.check(request({ patientId: huge }), { now: NOW }), "INVALID_ID", "request.patientId");
      assert.ok(err.message.length < 500, `message of ${err.message.length} chars`);
      const bad = input();
      bad.practitioners[0].name = huge;
      throwsCode(() => new lib.Calendar(bad), "TOO_LONG", "calendar.practitioners[0].name");
      const bad2 = input();
      bad2.clinic.timeZone = huge;
      const e2 = throwsCode(() => new lib.Calendar(bad2), "INVALID_TIME_ZONE");
      assert.ok(e2.message.length < 1_000, `the zone is not echoed whole (${e2.message.length} chars)`);
    });

    it("the calendar still works after every error above", () => {
      assert.equal(cal.check(request({ start: "2027-02-01T16:00:00Z" }), { now: NOW }).accepted, true);
    });
  });
}
