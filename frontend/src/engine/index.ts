import type { Engine } from './types';
import { loadWasmEngine } from './wasm';

export type { CalendarData, Engine, LocalImportCheck } from './types';

/** When the WASM module is absent or fails to start: no local answers, the server decides alone. */
export const serverOnlyEngine: Engine = {
  source: 'none',
  checkBooking: () => null,
  findSlots: () => null,
  validatePatient: () => null,
  checkPatientFile: () => null,
};

let loading: Promise<Engine> | null = null;

/** Loads the engine once per page; never rejects (a missing engine only costs the instant answers). */
export function loadEngine(): Promise<Engine> {
  if (!loading) {
    loading = loadWasmEngine().catch((e: unknown) => {
      console.info('clinic engine: running without WASM:', e instanceof Error ? e.message : e);
      return serverOnlyEngine;
    });
  }
  return loading;
}
