// Shared helpers for the end-to-end runs in a real VS Code (code-server):
// folders and settings of a throwaway profile, installing a .vsix, starting
// and stopping code-server, and driving the workbench with Playwright.

import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXTENSION, HERE, REPO, python } from "./support.mjs";

/** Settings that keep the workbench quiet and the editor's typing literal. */
export const BASE_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.ignoreRecommendations": true,
  "extensions.autoCheckUpdates": false,
  "update.mode": "none",
  "editor.autoIndent": "none",
  "editor.autoClosingBrackets": "never",
  "editor.autoClosingQuotes": "never",
  "editor.autoSurround": "never",
  "editor.quickSuggestions": { other: false, comments: false, strings: false },
  "editor.suggestOnTriggerCharacters": false,
  "editor.acceptSuggestionOnEnter": "off",
  "editor.formatOnType": false,
  "editor.insertSpaces": true,
  "editor.detectIndentation": false,
  "files.autoSave": "off",
  "chat.disableAIFeatures": true,
};

/** An emptied `test-artifacts/<name>` folder for a run's screenshots and logs. */
export function freshArtifacts(repo, name) {
  const folder = join(repo, "test-artifacts", name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return folder;
}

/**
 * The steps of an e2e run: `step(name, ok, detail)` prints and records one
 * with the seconds since the run began (where a slow run spends its time);
 * `finish()` prints the closing "N passed, N failed" line and returns the exit code.
 */
export function stepLog(steps = []) {
  const start = Date.now();
  return {
    steps,
    step(name, ok, detail = "") {
      const seconds = (Date.now() - start) / 1000;
      steps.push({ name, ok, detail, seconds });
      console.log(`${ok ? "PASS" : "FAIL"} [${seconds.toFixed(1)} s] ${name}${detail ? `: ${detail}` : ""}`);
    },
    finish() {
      const failed = steps.filter((s) => !s.ok).length;
      console.log(`${steps.length - failed} passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    },
  };
}

/** After a run: a screenshot of the first page when it failed, then close everything and keep the logs beside the screenshots. */
export async function closeRun({ browser, proc, dirs, root, artifacts, failed = false }) {
  if (failed) {
    try {
      const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
      if (pages[0]) await pages[0].screenshot({ path: join(artifacts, "failure.png") });
    } catch {
      // best effort
    }
  }
  await browser?.close().catch(() => undefined);
  // VS Code's logs (the extension's "Pytrix" output channel among them) and the server's.
  try {
    cpSync(join(dirs.userData, "logs"), join(artifacts, "logs"), { recursive: true });
    if (dirs.pytrixHome) cpSync(join(dirs.pytrixHome, "server.log"), join(artifacts, "server.log"));
  } catch {
    // nothing logged
  }
  await stopCodeServer(proc);
  rmSync(root, { recursive: true, force: true });
}

/**
 * For a bench: the .vsix given on the command line, else one built now
 * (scripts/package.mjs), and the code-server launcher (installed on first use).
 * Exits with the tool's output when either fails.
 */
export function benchTools(vsixArg) {
  const must = (done, what) => {
    if (done.status !== 0) {
      console.error(`${what} failed:\n${done.stdout ?? ""}\n${done.stderr ?? ""}`);
      process.exit(1);
    }
    return done;
  };
  let vsix = vsixArg;
  if (!vsix) {
    must(spawnSync(process.execPath, [join(EXTENSION, "scripts", "package.mjs")], {
      cwd: EXTENSION, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PYTHON: python() },
    }), "packaging the .vsix");
    vsix = join(EXTENSION, "pytrix-linux-x64.vsix");
  }
  const codeServer = must(spawnSync("bash", [join(HERE, "install_code_server.sh")], { encoding: "utf8" }), "installing code-server")
    .stdout.trim().split("\n").pop();
  return { vsix, codeServer, must };
}

/**
 * An e2e script's start: its command line (PATH.vsix CODE_SERVER_BIN, then
 * REPORT.json with `report`; the usage and exit 2 when one is missing), an
 * emptied test-artifacts/<name> folder, a throwaway profile (home, user data,
 * extensions, workspace, PYTRIX_HOME) and the environment for code-server
 * there, with no Gemini key.
 */
export function e2eStart(script, name, { report = false } = {}) {
  const [vsix, codeServer, reportPath] = process.argv.slice(2);
  if (!vsix || !codeServer || (report && !reportPath)) {
    console.error(`usage: node ${script} PATH.vsix CODE_SERVER_BIN${report ? " REPORT.json" : ""}`);
    process.exit(2);
  }
  const artifacts = freshArtifacts(REPO, name);
  const root = mkdtempSync(join(tmpdir(), `pytrix-${name}-`));
  const dirs = profileDirs(root, ["home", "userData", "extensions", "workspace", "pytrixHome"]);
  const env = {
    ...process.env,
    HOME: dirs.home,
    PYTRIX_HOME: dirs.pytrixHome,
    XDG_CONFIG_HOME: join(dirs.home, ".config"),
    XDG_DATA_HOME: join(dirs.home, ".local", "share"),
  };
  delete env.GEMINI_API_KEY;
  delete env.GOOGLE_API_KEY;
  return { vsix, codeServer, reportPath, artifacts, root, dirs, env };
}

/** The folders of one throwaway profile under `root`. */
export function profileDirs(root, names = ["home", "userData", "extensions", "workspace"]) {
  const dirs = {};
  const paths = { home: "home", userData: "user-data", extensions: "extensions", workspace: "workspace", pytrixHome: "pytrix-home" };
  for (const name of names) {
    dirs[name] = join(root, paths[name] ?? name);
    mkdirSync(dirs[name], { recursive: true });
  }
  return dirs;
}

export function writeUserSettings(userData, settings) {
  mkdirSync(join(userData, "User"), { recursive: true });
  writeFileSync(join(userData, "User", "settings.json"), JSON.stringify(settings, null, 2));
}

/** Install one .vsix, or several with one start of code-server's command line (each start costs seconds). */
export function installExtension(codeServer, dirs, env, fileOrFiles) {
  const files = [fileOrFiles].flat();
  const install = spawnSync(
    codeServer,
    [...files.flatMap((file) => ["--install-extension", file]), "--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions],
    { env, encoding: "utf8" },
  );
  if (install.status !== 0) throw new Error(`installing ${files.join(", ")} failed: ${install.stderr.slice(-500)}`);
}

export function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url}`);
}

/** Start code-server on a free port; resolves once it answers /healthz. */
export async function startCodeServer(codeServer, dirs, env, root, wantedPort = undefined) {
  // The same port again keeps the workbench's origin, so a browser profile's storage carries over.
  const port = wantedPort ?? (await freePort());
  const config = join(root, "config.yaml");
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const proc = spawn(
    codeServer,
    [
      "--config", config,
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--user-data-dir", dirs.userData,
      "--extensions-dir", dirs.extensions,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      dirs.workspace,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  proc.log = "";
  proc.stdout.on("data", (d) => (proc.log += d));
  proc.stderr.on("data", (d) => (proc.log += d));
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 30_000);
  return { proc, port, url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}` };
}

/** Stop code-server with its extension host and the Pytrix server (one process group). */
export async function stopCodeServer(proc) {
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise((resolve) => proc.once("exit", () => resolve("exited")));
  const signal = (name) => {
    try {
      process.kill(-proc.pid, name);
    } catch {
      proc.kill(name);
    }
  };
  const began = Date.now();
  signal("SIGTERM");
  const outcome = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("timeout"), 5000))]);
  if (outcome === "timeout") {
    signal("SIGKILL");
    await exited;
  }
  console.log(`code-server ${outcome === "timeout" ? "killed after 5 s" : "stopped"} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** The text of the extension's "Pytrix" output channel so far. */
export function outputLog(userData) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/-Pytrix\.log$/.test(entry.name)) found.push(readFileSync(path, "utf8"));
    }
  };
  try {
    walk(join(userData, "logs"));
  } catch {
    return "";
  }
  return found.join("\n");
}

/**
 * Wait until the extension's output holds more than `skip` matches of `regex`
 * (global); resolves with the first new match.
 */
export async function waitForLog(userData, regex, skip, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const found = [...outputLog(userData).matchAll(regex)];
    if (found.length > skip) return found[skip];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Open a workspace file by name through Quick Open (Ctrl+P). */
export async function quickOpen(page, name) {
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".tabs-container .tab", { hasText: name }).first().waitFor();
}

export async function palette(page, command) {
  const input = page.locator(".quick-input-widget input");
  // F1 is sometimes lost (the focus in a webview's frame or on a toast): wait for the
  // palette itself, and press again after Escape, three tries in all.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("F1");
    try {
      await input.waitFor({ state: "visible", timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press("Escape"); // leave whatever holds the focus (a toast, a frame)
    }
  }
  await input.fill(`>${command}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: command }).first().waitFor();
  await page.keyboard.press("Enter");
}

export async function pickQuick(page, text) {
  const row = page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: text }).first();
  await row.waitFor({ state: "visible", timeout: 30_000 });
  const input = page.locator(".quick-input-widget input");
  await input.fill(text);
  await page.locator(".quick-input-widget .quick-input-list .monaco-list-row.focused", { hasText: text }).first().waitFor();
  await page.keyboard.press("Enter");
}

/**
 * Replace the user's settings the way a user does: in the settings JSON editor,
 * the new text put in as one input, as a paste does (typed key by key, the
 * ~900 characters were as many input events), then saved.
 */
export async function editUserSettings(page, settings) {
  await palette(page, "Preferences: Open User Settings (JSON)");
  await page.locator(".tabs-container .tab", { hasText: "settings.json" }).first().waitFor();
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(JSON.stringify(settings));
  await page.keyboard.press("Control+S");
}

/** Open the workbench and wait for it (and for Pytrix's status bar item). */
export async function openWorkbench(browser, url) {
  // A browser gets a fresh context; a (persistent) context is used as it is.
  const context = typeof browser.newContext === "function" ? await browser.newContext({ viewport: { width: 1500, height: 950 } }) : browser;
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  await page.goto(url);
  await page.locator(".monaco-workbench").waitFor();
  await page.locator(".statusbar").waitFor();
  // Pytrix's item says "Pytrix", or the question of a practice file already open (a restored window).
  const item = page.locator(".statusbar-item", { hasText: "Pytrix" }).or(page.locator('.statusbar-item[id$=".pytrix.status"]'));
  await item.first().waitFor({ timeout: 60_000 });
  return page;
}
