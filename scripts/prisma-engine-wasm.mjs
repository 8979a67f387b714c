// Loads Prisma's schema engine compiled to WebAssembly, so migrations need no native binary.
// The JavaScript bindings come from @prisma/schema-engine-wasm (its wasm-bindgen glue is
// byte-identical across the 7.10.0 and 8.1.0 builds on the registry). The engine itself is, by preference, the .wasm that the
// installed prisma CLI ships in its build folder: it is the exact engine commit the CLI was
// released with (prisma 7.10.1 -> engines d1b3f377), which no registry build of
// @prisma/schema-engine-wasm matches. If that file is missing or its imports no longer match the
// bindings (another prisma version), the package's own .wasm is used instead.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

function bindingsDirectory() {
  // The package's "exports" hide package.json; resolve the exported glue module instead.
  return path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
}

function cliEngineWasmPath() {
  try {
    return path.join(path.dirname(require.resolve("prisma/package.json")), "build", "schema_engine_bg.wasm");
  } catch {
    return null; // the prisma CLI is not installed next to us
  }
}

function compile(wasmPath) {
  return new WebAssembly.Module(readFileSync(wasmPath));
}

function importsSatisfiedBy(compiled, bindings) {
  return WebAssembly.Module.imports(compiled).every((entry) => entry.name in bindings);
}

let loaded = null;

/** The engine's bindings, instantiated once: `{ SchemaEngine, version, wasmPath }`. */
export async function loadSchemaEngineWasm() {
  if (loaded) return loaded;
  const directory = bindingsDirectory();
  const bindings = await import(pathToFileURL(path.join(directory, "schema_engine_bg.js")).href);

  const candidates = [cliEngineWasmPath(), path.join(directory, "schema_engine_bg.wasm")];
  let chosen = null;
  for (const wasmPath of candidates) {
    if (!wasmPath) continue;
    let compiled;
    try {
      compiled = compile(wasmPath);
    } catch (error) {
      if (error?.code === "ENOENT") continue;
      throw error;
    }
    if (importsSatisfiedBy(compiled, bindings)) {
      chosen = { compiled, wasmPath };
      break;
    }
  }
  if (!chosen) throw new Error(`No schema engine .wasm matches the bindings in ${directory}`);

  const instance = new WebAssembly.Instance(chosen.compiled, { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  loaded = { SchemaEngine: bindings.SchemaEngine, version: bindings.version, wasmPath: chosen.wasmPath };
  return loaded;
}
