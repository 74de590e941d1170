import type { BookingRequest, FieldError, PatientInput, SlotOffer, SlotQuery, Verdict } from '../api/types';
import type { CalendarData, Engine } from './types';

/**
 * The one adapter to `bindings/wasm`. The module's exports are looked up by name and called with the core's
 * serde JSON shapes; a thrown error carries the core's `.code`. When the module's API changes, only this
 * file changes.
 */
type Fn = (...args: unknown[]) => unknown;

function pick(mod: Record<string, unknown>, ...names: string[]): Fn | null {
  for (const n of names) if (typeof mod[n] === 'function') return mod[n] as Fn;
  return null;
}

function parse<T>(x: unknown): T {
  return (typeof x === 'string' ? JSON.parse(x) : x) as T;
}

function calendarJson(d: CalendarData) {
  return {
    clinic: d.clinic,
    practitioners: d.practitioners,
    rooms: d.rooms,
    appointment_types: d.types,
    schedules: d.schedules,
    appointments: d.appointments,
  };
}

export async function loadWasmEngine(): Promise<Engine> {
  const mod = (await import('@clinic/wasm')) as unknown as Record<string, unknown>;
  if (mod.NOT_BUILT) throw new Error('the WASM engine is not built');
  const init = mod.default;
  if (typeof init === 'function') await (init as () => Promise<unknown>)();
  const check = pick(mod, 'checkBooking', 'check_booking');
  const find = pick(mod, 'findAvailableSlots', 'find_available_slots', 'findSlots');
  const validate = pick(mod, 'validatePatient', 'validate_patient');
  if (!check || !find) throw new Error('the WASM module lacks checkBooking/findAvailableSlots');

  return {
    source: 'wasm',
    checkBooking(data: CalendarData, req: BookingRequest, now: Date, mayOverbook: boolean): Verdict | null {
      return parse<Verdict>(check(calendarJson(data), req, now.toISOString(), mayOverbook));
    },
    findSlots(data: CalendarData, q: SlotQuery, now: Date): SlotOffer[] | null {
      return parse<SlotOffer[]>(find(calendarJson(data), q, now.toISOString()));
    },
    validatePatient(input: PatientInput): FieldError[] | null {
      if (!validate) return null;
      try {
        validate(input);
        return [];
      } catch (e) {
        const err = e as { code?: string; errors?: FieldError[]; message?: string };
        if (err.errors) return err.errors;
        if (err.code) return [{ code: err.code, field: '', message: err.message ?? err.code }];
        throw e;
      }
    },
  };
}
