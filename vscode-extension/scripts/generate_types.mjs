// Generates the extension's protocol types from the server's response models:
// scripts/export_schema.py writes src/generated/protocol.schema.json (the JSON
// Schema of every model in pytrix.responses), then json-schema-to-typescript
// turns it into src/generated/protocol.ts. Both files are committed.
//
// Usage: node scripts/generate_types.mjs            regenerate both files (and docs/PROTOCOL.md's model list)
//        node scripts/generate_types.mjs --check    regenerate into a temporary folder and fail
//                                                   (exit 1) when they differ from the committed ones
//        [--generated DIR]                          the committed files' folder (default src/generated)
// The Python is $PYTHON, else ../.venv/bin/python, else python3 (it needs pydantic).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const EXTENSION = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const at = args.indexOf("--generated");
const committed = at >= 0 && args[at + 1] ? resolve(args[at + 1]) : join(EXTENSION, "src", "generated");
const FILES = ["protocol.schema.json", "protocol.ts"];
const BANNER = "/* Generated from server/pytrix/responses.py by scripts/generate_types.mjs: do not edit. Run `npm run generate-types`. */";

function python() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(EXTENSION, "..", ".venv", "bin", "python");
  return existsSync(venv) ? venv : "python3";
}

async function generate(folder, docs) {
  const docsArgs = docs ? ["--protocol", join(EXTENSION, "..", "docs", "PROTOCOL.md")] : [];
  const exported = spawnSync(python(), [join(EXTENSION, "scripts", "export_schema.py"), "--out", folder, ...docsArgs], {
    cwd: EXTENSION,
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: [join(EXTENSION, "..", "server"), process.env.PYTHONPATH].filter(Boolean).join(":") },
  });
  if (exported.status !== 0) {
    console.error(`generate-types: exporting the schema with ${python()} failed:\n${exported.stderr || exported.error}`);
    process.exit(2);
  }
  const schema = JSON.parse(readFileSync(join(folder, "protocol.schema.json"), "utf8"));
  const types = await compile(schema, "PytrixProtocol", {
    bannerComment: BANNER,
    unreachableDefinitions: true,
    additionalProperties: false,
    format: true,
  });
  writeFileSync(join(folder, "protocol.ts"), types);
}

if (!check) {
  await generate(committed, true);
  console.log(`generate-types: wrote ${FILES.map((f) => join(committed, f)).join(" and ")} and the models in docs/PROTOCOL.md`);
} else {
  const scratch = mkdtempSync(join(tmpdir(), "pytrix-types-"));
  try {
    await generate(scratch, false);
    const stale = FILES.filter((name) => {
      const path = join(committed, name);
      return !existsSync(path) || readFileSync(path, "utf8") !== readFileSync(join(scratch, name), "utf8");
    });
    if (stale.length > 0) {
      console.error(
        `check-types: ${stale.join(" and ")} in ${committed} differ from the server's response models ` +
          "(server/pytrix/responses.py). Run `npm run generate-types` in vscode-extension and commit the result.",
      );
      process.exit(1);
    }
    console.log("check-types: the generated protocol types match the server's models");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
