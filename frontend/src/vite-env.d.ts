/// <reference types="vite/client" />

/** The WASM engine (bindings/wasm/pkg) or its stub; the adapter in engine/wasm.ts checks each export it uses. */
declare module '@clinic/wasm' {
  const mod: Record<string, unknown>;
  export = mod;
}

declare const __WASM_BUILT__: boolean;
