// Every shared test vector (repo root test-vectors/*.json) through both JS builds: verdict, codes,
// conflicting ids, overbooked flag and free slots must equal `expect` exactly — and the two builds must give
// identical answers (alternatives and messages included).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { impls, repoRoot, camelKeys } from "./impls.mjs";

const MIN_FILES = 60;
const dir = path.join(repoRoot, "test-vectors");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

const iso = (s) => new Date(s).toISOString();

function calendarInput(scenario) {
  return camelKeys({
    clinic: scenario.clinic,
    practitioners: scenario.practitioners ?? [],
    rooms: scenario.rooms ?? [],
    appointment_types: scenario.appointment_types,
    schedules: scenario.schedules ?? [],
    appointments: scenario.appointments ?? [],
  });
}

/** Runs one case; returns the raw answer (verdict, slot list, or thrown error). */
function run(lib, cal, scenario, c) {
  if (c.kind === "check") {
    return cal.check(camelKeys(c.request), { now: scenario.now, mayOverbook: !!c.may_overbook });
  }
  try {
    return { slots: cal.findAvailableSlots(camelKeys(c.query), scenario.now) };
  } catch (e) {
    return { error: { code: e.code, message: e.message, errors: e.errors } };
  }
}

function assertMatches(c, got) {
  const e = c.expect;
  if (c.kind === "check") {
    assert.equal(got.accepted, e.accepted, "accepted");
    assert.deepEqual(got.codes, e.codes ?? [], "codes");
    assert.deepEqual(got.violations.map((v) => v.code), got.codes, "violations[].code = codes");
    if (e.conflicting) {
      const ids = [...new Set(got.violations.flatMap((v) => v.conflicting))].sort();
      assert.deepEqual(ids, [...e.conflicting].sort(), "conflicting");
    }
    if (e.overbooked !== undefined) assert.equal(got.overbooked, e.overbooked, "overbooked");
    return;
  }
  if (e.error) {
    assert.ok(got.error, `expected error ${e.error}, got ${got.slots?.length} slots`);
    assert.equal(got.error.code, e.error, "error code");
    return;
  }
  assert.ok(!got.error, `search failed: ${JSON.stringify(got.error)}`);
  const slots = got.slots.map((s) => ({ start: iso(s.start), practitioner_id: s.practitionerId }));
  const norm = (s) => s && { start: iso(s.start), practitioner_id: s.practitioner_id };
  if (e.slots) assert.deepEqual(slots, e.slots.map(norm), "slots");
  if (e.count !== undefined) assert.equal(slots.length, e.count, "count");
  if (e.first) assert.deepEqual(slots[0], norm(e.first), "first");
  if (e.last) assert.deepEqual(slots.at(-1), norm(e.last), "last");
}

describe("test vectors", () => {
  it(`there are at least ${MIN_FILES} vector files`, () => {
    assert.ok(files.length >= MIN_FILES, `${files.length} files in ${dir}`);
  });

  const answers = new Map(); // file / case → impl → answer
  for (const { name, lib } of impls) {
    describe(name, () => {
      let cases = 0;
      for (const file of files) {
        it(file, () => {
          const scenario = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
          assert.ok(scenario.cases.length > 0, "no cases");
          const cal = new lib.Calendar(calendarInput(scenario));
          for (const c of scenario.cases) {
            const got = run(lib, cal, scenario, c);
            try {
              assertMatches(c, got);
            } catch (err) {
              err.message = `${file} / ${c.name}: ${err.message}`;
              throw err;
            }
            const key = `${file} / ${c.name}`;
            if (!answers.has(key)) answers.set(key, {});
            answers.get(key)[name] = got;
            cases++;
          }
        });
      }
      it("ran every case", () => assert.ok(cases > 100, `${cases} cases`));
    });
  }

  if (impls.length > 1) {
    it("both builds give identical answers (alternatives and messages included)", () => {
      assert.ok(answers.size > 100);
      for (const [key, byImpl] of answers) {
        const [a, b] = impls.map((i) => byImpl[i.name]);
        assert.deepEqual(a, b, key);
      }
    });
  }
});
