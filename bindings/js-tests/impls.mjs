// The two builds of the JavaScript API under test: the napi addon (bindings/node) and the WASM module's
// Node build (bindings/wasm/pkg-node). Every test file runs its cases against each of them.
// CLINIC_JS_IMPLS=node or =wasm restricts the run to one build (e.g. while only one is built); a build that
// is selected but missing fails the run — nothing is silently skipped.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const loaders = {
  node: () => require(path.join(here, "..", "node", "index.js")),
  wasm: () => require(path.join(here, "..", "wasm", "pkg-node", "clinic_wasm.js")),
};

const wanted = (process.env.CLINIC_JS_IMPLS || "node,wasm").split(",").map((s) => s.trim()).filter(Boolean);

export const impls = wanted.map((name) => {
  if (!loaders[name]) throw new Error(`unknown implementation ${name}; known: ${Object.keys(loaders)}`);
  return { name, lib: loaders[name]() };
});

export const repoRoot = path.join(here, "..", "..");

/** snake_case keys → camelCase, deeply (values untouched): the vectors are written in the core's serde form. */
export function camelKeys(v) {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camelKeys(x)]),
    );
  }
  return v;
}
