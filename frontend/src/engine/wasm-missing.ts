/** Stands in for `bindings/wasm/pkg` when the WASM module has not been built (see vite.config.ts). */
export const NOT_BUILT = true;
export default async function init(): Promise<never> {
  throw new Error('the WASM engine is not built (run scripts/test-js.sh or build bindings/wasm)');
}
