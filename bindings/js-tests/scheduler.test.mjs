// The Node addon's Scheduler: the core's use cases over a real SQLite file in a temp directory — catalog,
// patients, booking (with the engine's verdicts and rejections), reschedule/cancel/status, availability,
// imports, reports, iCalendar and FHIR; persistence across reopen; bad input as typed rejections.
// The WASM module has no Scheduler (no SQLite in the browser): this file runs on the Node build only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { impls } from "./impls.mjs";

const node = impls.find((i) => i.name === "node");
const NOW = "2027-01-25T12:00:00Z";
const MON = "2027-02-01";

/** Awaits `fn()` and asserts it rejects (or throws) an Error with `.code === code`; returns it. */
async function rejectsCode(fn, code, loc) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a rejection with ${code}`);
  assert.ok(err instanceof Error, `an Error, got ${typeof err}`);
  assert.equal(err.code, code, `code (message: ${err.message})`);
  assert.ok(Array.isArray(err.errors), "errors array");
  if (loc !== undefined) assert.ok(err.errors.some((x) => x.loc === loc), `a problem at ${loc}: ${JSON.stringify(err.errors)}`);
  return err;
}

describe("node: Scheduler over an SQLite file", { skip: !node && "CLINIC_JS_IMPLS excludes the Node build" }, () => {
  const lib = node?.lib;
  let dir, file, s, clinic, dr, drB, type, patient, appt;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "clinic-node-"));
    file = path.join(dir, "clinic.db");
    s = lib.Scheduler.open(file, { now: NOW });
    clinic = await s.createClinic({ name: "Northside", timeZone: "Europe/London", address: { line1: "1 High St", city: "London", postalCode: "N1 1AA", country: "GB" } });
    dr = await s.savePractitioner({ clinicId: clinic.id, name: "Dr Ada" });
    drB = await s.savePractitioner({ clinicId: clinic.id, name: "Dr Bo" });
    type = await s.saveAppointmentType({ clinicId: clinic.id, name: "Consultation", durationMinutes: 30 });
    for (const p of [dr, drB]) {
      await s.saveSchedule({
        clinicId: clinic.id,
        resource: { kind: "practitioner", id: p.id },
        weeklyHours: ["Mon", "Tue", "Wed", "Thu", "Fri"].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
        validFrom: "2027-01-01",
      });
    }
    patient = await s.registerPatient(clinic.id, { givenName: " Grace ", familyName: "Hopper", mrn: "M1", contact: { phone: "+44 20 7946 0000", email: "Grace@Example.org" } });
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates entities with camelCase fields, normalized by the core", () => {
    assert.equal(s.store, "sqlite");
    assert.equal(s.now(), NOW);
    assert.equal(clinic.timeZone, "Europe/London");
    assert.equal(clinic.address.postalCode, "N1 1AA");
    assert.match(dr.id, /^[0-9a-f-]{36}$/);
    assert.equal(dr.clinicId, clinic.id);
    assert.equal(type.durationMinutes, 30);
    assert.equal(patient.givenName, "Grace");
    assert.equal(patient.contact.phone, "+442079460000");
    assert.equal(patient.contact.email, "grace@example.org");
  });

  it("books through the engine: verdict, creation, conflicts rejected with every violation", async () => {
    const req = { patientId: patient.id, practitionerId: dr.id, appointmentTypeId: type.id, start: `${MON}T10:00:00Z` };
    const v = await s.checkBooking(clinic.id, req);
    assert.equal(v.accepted, true);
    assert.deepEqual(v.codes, []);
    appt = await s.createAppointment(clinic.id, { ...req, reason: "check-up" });
    assert.equal(appt.status, "booked");
    assert.equal(appt.slot.start, `${MON}T10:00:00Z`);
    assert.equal(appt.reason, "check-up");
    const other = await s.registerPatient(clinic.id, { givenName: "Alan", familyName: "Turing", mrn: "M2" });
    const clash = { ...req, patientId: other.id, start: `${MON}T10:15:00Z` };
    const verdict = await s.checkBooking(clinic.id, clash);
    assert.deepEqual(verdict.codes, ["SLOT_CONFLICT_PRACTITIONER"]);
    assert.deepEqual(verdict.violations[0].conflicting, [appt.id]);
    assert.ok(verdict.alternatives.samePractitioner.length > 0);
    const err = await rejectsCode(() => s.createAppointment(clinic.id, clash), "SLOT_CONFLICT_PRACTITIONER");
    assert.ok(err.errors.some((e) => e.code === "SLOT_CONFLICT_PRACTITIONER"));
    await rejectsCode(() => s.createAppointment(clinic.id, { ...clash, start: `${MON}T20:00:00Z` }), "OUTSIDE_AVAILABILITY");
  });

  it("availability, reschedule, status changes and listing go through the store", async () => {
    const q = { appointmentTypeId: type.id, practitionerIds: [dr.id], from: `${MON}T09:00:00Z`, to: `${MON}T12:00:00Z` };
    const slots = await s.findAvailableSlots(clinic.id, q);
    assert.ok(slots.length > 0);
    assert.ok(!slots.some((x) => x.start === `${MON}T10:00:00Z`), "the booked slot is not offered");
    assert.deepEqual(Object.keys(slots[0]).sort(), ["end", "practitionerId", "start"]);
    const moved = await s.rescheduleAppointment(appt.id, { start: `${MON}T11:00:00Z`, expectedVersion: appt.version });
    assert.equal(moved.slot.start, `${MON}T11:00:00Z`);
    await rejectsCode(() => s.rescheduleAppointment(appt.id, { start: `${MON}T12:00:00Z`, expectedVersion: appt.version }), "VERSION_CONFLICT");
    await rejectsCode(() => s.changeStatus(appt.id, "arrived"), "ARRIVAL_NOT_TODAY");
    s.setNow(`${MON}T10:55:00Z`);
    const arrived = await s.changeStatus(appt.id, "arrived", { expectedVersion: moved.version });
    s.setNow(NOW);
    assert.equal(arrived.status, "arrived");
    await rejectsCode(() => s.changeStatus(appt.id, "booked"), "INVALID_STATUS_TRANSITION");
    const list = await s.listAppointments({ clinicId: clinic.id, practitionerId: dr.id });
    assert.deepEqual(list.map((a) => a.id), [appt.id]);
    const second = await s.createAppointment(clinic.id, { patientId: patient.id, practitionerId: drB.id, appointmentTypeId: type.id, start: `${MON}T14:00:00Z` });
    const cancelled = await s.cancelAppointment(second.id, { reason: "patient called" });
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await s.listAppointments({ clinicId: clinic.id, statuses: ["cancelled"] })).length, 1);
  });

  it("exports iCalendar, FHIR and reports; imports FHIR", async () => {
    const ics = await s.icalForPractitioner(dr.id, `${MON}T00:00:00Z`, "2027-02-08T00:00:00Z");
    assert.match(ics, /^BEGIN:VCALENDAR/);
    assert.match(ics, /BEGIN:VEVENT/);
    assert.match(await s.icalForPatient(patient.id, `${MON}T00:00:00Z`, "2027-02-08T00:00:00Z"), /BEGIN:VEVENT/);
    const fp = await s.fhirPatient(patient.id);
    assert.equal(fp.resourceType, "Patient");
    assert.equal(fp.birthDate, undefined);
    assert.equal((await s.fhirAppointment(appt.id)).resourceType, "Appointment");
    const slots = await s.fhirFreeSlots(clinic.id, { appointmentTypeId: type.id, from: `${MON}T09:00:00Z`, to: `${MON}T10:00:00Z` });
    assert.ok(slots.length > 0 && slots.every((x) => x.resourceType === "Slot" && x.status === "free"));
    const report = await s.generateReport(clinic.id, MON, "2027-02-08");
    assert.equal(typeof report.csv, "string");
    assert.ok(report.csv.length > 0);
    const imported = await s.importFhirPatient(clinic.id, { resourceType: "Patient", name: [{ family: "Lovelace", given: ["Ada"] }], birthDate: "1985-12-10" });
    assert.equal(imported.familyName, "Lovelace");
    assert.equal(imported.dateOfBirth, "1985-12-10");
    const booked = await s.importFhirAppointment(clinic.id, JSON.stringify({
      resourceType: "Appointment",
      status: "booked",
      start: `${MON}T15:00:00Z`,
      end: `${MON}T15:30:00Z`,
      appointmentType: { coding: [{ system: "urn:clinic-scheduling:appointment-type", code: type.id }] },
      participant: [
        { actor: { reference: `Patient/${imported.id}` }, status: "accepted" },
        { actor: { reference: `Practitioner/${dr.id}` }, status: "accepted" },
      ],
    })).catch((e) => e);
    // The engine decides: either booked, or refused with a core code (never a crash or an untyped error).
    if (booked instanceof Error) assert.match(booked.code, /^[A-Z_]+$/);
    else assert.equal(booked.slot.start, `${MON}T15:00:00Z`);
  });

  it("imports patients and appointments (dry run, then partial) with row-level reports", async () => {
    const csv = "mrn,given_name,family_name,date_of_birth,phone\nM10,Edsger,Dijkstra,11/05/1930,+31 20 123 4567\nM11,,Knuth,1938-01-10,\n";
    const dry = await s.importPatients(clinic.id, csv);
    assert.equal(dry.mode, "dry_run");
    assert.equal(dry.rows, 2);
    assert.equal(dry.valid, 1);
    assert.equal(dry.stored, 0);
    assert.deepEqual(dry.rejections.map((r) => `${r.row}:${r.column}:${r.code}`), ["3:given_name:REQUIRED"]);
    const partial = await s.importPatients(clinic.id, Buffer.from(csv), { mode: "partial" });
    assert.equal(partial.stored, 1);
    assert.equal(partial.acceptedIds.length, 1);
    const appts = `mrn,practitioner,type,start\nM10,Dr Ada,Consultation,${MON} 13:00\nM10,Dr Nobody,Consultation,${MON} 13:00\nM10,Dr Ada,Consultation,not a date\n`;
    const r = await s.importAppointments(clinic.id, appts, { mode: "dry_run" });
    assert.equal(r.rows, 3);
    assert.equal(r.valid, 1);
    const codes = r.rejections.map((x) => x.code).sort();
    assert.ok(codes.includes("INVALID_DATE"), `${codes}`);
  });

  it("persists in the file: a second Scheduler on it sees everything", async () => {
    const again = lib.Scheduler.open(file);
    assert.equal((await again.clinic(clinic.id)).name, "Northside");
    assert.equal((await again.patient(patient.id)).familyName, "Hopper");
    assert.ok((await again.listAppointments({ clinicId: clinic.id })).some((a) => a.id === appt.id));
    const mem = lib.Scheduler.inMemory();
    assert.equal(mem.store, "memory");
    await rejectsCode(() => mem.clinic(clinic.id), "NOT_FOUND");
  });

  it("roles are enforced (FORBIDDEN) and the clock only moves when fixed", async () => {
    const actor = { role: "patient", clinicId: clinic.id, patientId: patient.id };
    await rejectsCode(() => s.createClinic({ name: "X", timeZone: "UTC" }, actor), "FORBIDDEN");
    const stranger = await s.registerPatient(clinic.id, { givenName: "Barbara", familyName: "Liskov", mrn: "M3" });
    await rejectsCode(() => s.patient(stranger.id, actor), "FORBIDDEN");
    assert.equal((await s.patient(patient.id, actor)).id, patient.id);
    s.setNow("2027-01-26T12:00:00Z");
    assert.equal(s.now(), "2027-01-26T12:00:00Z");
    assert.throws(() => lib.Scheduler.inMemory().setNow(NOW), (e) => e.code === "INVALID_JSON");
  });

  it("bad input is a typed rejection, never a crash", async () => {
    await rejectsCode(() => s.clinic("not-a-uuid"), "INVALID_ID", "clinicId");
    await rejectsCode(() => s.clinic(undefined), "REQUIRED", "clinicId");
    await rejectsCode(() => s.clinic(42), "INVALID_JSON", "clinicId");
    await rejectsCode(() => s.clinic("00000000-0000-0000-0000-0000000000ff"), "NOT_FOUND");
    await rejectsCode(() => s.createClinic(null), "REQUIRED", "input");
    await rejectsCode(() => s.createClinic({ timeZone: "UTC" }), "REQUIRED", "input.name");
    await rejectsCode(() => s.createClinic({ name: "X", timeZone: "Mars/Olympus" }), "INVALID_TIME_ZONE");
    await rejectsCode(() => s.createClinic({ name: "x".repeat(2_000_000), timeZone: "UTC" }), "TOO_LONG");
    await rejectsCode(() => s.cancelAppointment(appt.id, { expectedVersion: NaN }), "INVALID_JSON", "options");
    await rejectsCode(() => s.cancelAppointment(appt.id, { expectedVersion: -1 }), "INVALID_JSON", "options.expectedVersion");
    await rejectsCode(() => s.cancelAppointment(appt.id, { expectedVersion: 1.5 }), "INVALID_JSON");
    await rejectsCode(() => s.changeStatus(appt.id, "teleported"), "INVALID_JSON", "status");
    await rejectsCode(() => s.registerPatient(clinic.id, { givenName: "A", familyName: "B", contact: { phone: "12" } }), "INVALID_PHONE", "input.contact");
    await rejectsCode(() => s.findAvailableSlots(clinic.id, { appointmentTypeId: type.id, from: `${MON}T12:00:00Z`, to: `${MON}T09:00:00Z` }), "INVALID_TIME_RANGE");
    await rejectsCode(() => s.listAppointments({ limit: 10n }), "INVALID_JSON", "filter");
    await rejectsCode(() => s.importPatients(clinic.id, 42), "INVALID_JSON", "data");
    await rejectsCode(() => s.generateReport(clinic.id, "2027-02-30", "2027-03-01"), "INVALID_DATE", "from");
    await rejectsCode(() => s.createClinic({ name: "X", timeZone: "UTC" }, { role: "wizard" }), "INVALID_JSON", "actor.role");
    assert.throws(() => lib.Scheduler.open(path.join(dir, "missing", "dir", "x.db")), (e) => typeof e.code === "string" && e.code.length > 0);
    // still usable
    assert.equal((await s.clinic(clinic.id)).id, clinic.id);
  });
});
