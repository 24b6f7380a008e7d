/**
 * Choosing and checking the Python that runs the Pytrix language server.
 *
 * The .vsix carries the server and its libraries (`bundled/`): any Python
 * 3.11+ can run it, with nothing installed. Candidates, in order: the
 * `pytrix.server.python` setting (alone, when set), else the Python
 * extension's active interpreter, then `python3` and `python` on PATH. Each
 * is probed with a short script that reports its version and the server it
 * would run; the first usable one wins.
 *
 * With `pytrix.server.importStrategy` = `fromEnvironment`, the interpreter's
 * own installed Pytrix runs instead (`pipx install pytrix-practice`, or a
 * development checkout). The extension never installs anything into the
 * learner's interpreter.
 */

export const MIN_PYTHON: readonly [number, number] = [3, 11];
/** The distribution that provides the `pytrix` package (the PyPI name `pytrix` is another project). */
export const DISTRIBUTION = "pytrix-practice";
export const PYTHON_DOWNLOAD_URL = "https://www.python.org/downloads/";

export type ImportStrategy = "useBundled" | "fromEnvironment";

export interface InterpreterChoice {
  command: string;
  source: "setting" | "python-extension" | "path";
}

/** Every interpreter to try, in order (the setting, when set, is the only one). */
export function interpreterCandidates(
  setting: string | undefined,
  pythonExtension: string | undefined,
  platform: string,
): InterpreterChoice[] {
  const configured = setting?.trim();
  if (configured) return [{ command: configured, source: "setting" }];
  const candidates: InterpreterChoice[] = [];
  if (pythonExtension?.trim()) candidates.push({ command: pythonExtension.trim(), source: "python-extension" });
  const onPath = platform === "win32" ? ["python", "python3"] : ["python3", "python"];
  for (const command of onPath) candidates.push({ command, source: "path" });
  return candidates;
}

/** How to start the server: the bundled launcher when the .vsix has one and the strategy allows. */
export function launchPlan(
  strategy: ImportStrategy,
  bundledLauncher: string | undefined,
): { kind: "bundled"; probeArgs: string[]; serveArgs: string[] } | { kind: "environment"; probeArgs: string[]; serveArgs: string[] } {
  if (strategy === "useBundled" && bundledLauncher) {
    return { kind: "bundled", probeArgs: ["-I", bundledLauncher, "--probe"], serveArgs: ["-I", bundledLauncher, "serve"] };
  }
  return { kind: "environment", probeArgs: ["-c", PROBE_SCRIPT], serveArgs: ["-m", "pytrix", "serve"] };
}

/**
 * A script for `python -c`: one JSON line about the interpreter and its own
 * pytrix, with the distribution that provides it (an unrelated package named
 * `pytrix` has no `pytrix-practice` distribution).
 */
export const PROBE_SCRIPT = [
  "import json, sys",
  "info = {'version': list(sys.version_info[:3]), 'executable': sys.executable}",
  "try:",
  "    import pytrix",
  "    info['pytrix'] = str(getattr(pytrix, '__version__', '?'))",
  "    from importlib import metadata",
  "    try:",
  `        info['distribution'] = metadata.distribution('${DISTRIBUTION}').metadata['Name']`,
  "    except Exception:",
  "        info['distribution'] = None",
  "    from pytrix.paths import log_path",
  "    info['logPath'] = str(log_path())",
  "except Exception as exc:",
  "    info['pytrixError'] = f'{type(exc).__name__}: {exc}'",
  "print(json.dumps(info))",
].join("\n");

export interface ProbeResult {
  version: [number, number, number];
  executable: string;
  pytrix?: string;
  distribution?: string | null;
  logPath?: string;
  pytrixError?: string;
  bundled?: boolean;
}

export type FailureReason = "not-found" | "too-old" | "no-pytrix" | "impostor" | "bad-output";

export type Verdict =
  | { ok: true; probe: ProbeResult }
  | { ok: false; reason: FailureReason; message: string; probe?: ProbeResult };

/** Judge a probe run: its exit code, stdout and stderr (or the spawn error). */
export function judgeProbe(
  command: string,
  run: { error?: string; code: number | null; stdout: string; stderr: string },
): Verdict {
  if (run.error !== undefined) {
    return { ok: false, reason: "not-found", message: `'${command}' was not found (${run.error}).` };
  }
  const line = run.stdout.trim().split(/\r?\n/).pop() ?? "";
  let probe: ProbeResult;
  try {
    const value = JSON.parse(line) as ProbeResult;
    if (!Array.isArray(value.version) || value.version.length < 2) {
      throw new Error("no version");
    }
    probe = value;
  } catch {
    const detail = (run.stderr || run.stdout).trim().split(/\r?\n/).slice(-1)[0] ?? "";
    return {
      ok: false,
      reason: "bad-output",
      message: `'${command}' did not behave like Python 3.11+ (exit ${run.code}${detail ? `: ${detail}` : ""}).`,
    };
  }
  const [major, minor] = probe.version;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return {
      ok: false,
      reason: "too-old",
      probe,
      message: `'${command}' is Python ${probe.version.join(".")}; Pytrix needs ${MIN_PYTHON.join(".")} or newer.`,
    };
  }
  if (probe.pytrix === undefined) {
    const where = probe.bundled ? "The server bundled with the extension cannot run on" : "Pytrix is not installed for";
    return {
      ok: false,
      reason: "no-pytrix",
      probe,
      message: `${where} ${probe.executable} (${probe.pytrixError ?? "import failed"}).`,
    };
  }
  if (!probe.bundled && probe.distribution !== undefined && probe.distribution === null) {
    return {
      ok: false,
      reason: "impostor",
      probe,
      message: `The 'pytrix' package in ${probe.executable} (version ${probe.pytrix}) is not Pytrix: it is another project with the same name. Install ${DISTRIBUTION}, or use the server bundled with the extension.`,
    };
  }
  return { ok: true, probe };
}

/** Pick the first usable interpreter; return every failure when none is. */
export function firstUsable(
  verdicts: { choice: InterpreterChoice; verdict: Verdict }[],
): { choice: InterpreterChoice; verdict: Extract<Verdict, { ok: true }> } | { failures: { choice: InterpreterChoice; verdict: Extract<Verdict, { ok: false }> }[] } {
  const failures: { choice: InterpreterChoice; verdict: Extract<Verdict, { ok: false }> }[] = [];
  for (const { choice, verdict } of verdicts) {
    if (verdict.ok) return { choice, verdict };
    failures.push({ choice, verdict });
  }
  return { failures };
}

export interface FailureAdvice {
  message: string;
  actions: ("Install Python" | "Choose Python" | "Use Bundled Server" | "Show Log")[];
}

/**
 * What to tell the learner when no interpreter is usable, and which buttons
 * to offer. Never an install into their interpreter.
 */
export function adviceFor(
  failures: { choice: InterpreterChoice; verdict: Extract<Verdict, { ok: false }> }[],
  strategy: ImportStrategy,
): FailureAdvice {
  const tried = failures.map((f) => f.verdict.message).join(" ");
  const environmentProblem = failures.find((f) => f.verdict.reason === "no-pytrix" || f.verdict.reason === "impostor");
  if (strategy === "fromEnvironment" && environmentProblem) {
    return {
      message: `Pytrix cannot start: ${environmentProblem.verdict.message} Use the server bundled with the extension, or install Pytrix for that interpreter with 'pipx install ${DISTRIBUTION}'.`,
      actions: ["Use Bundled Server", "Choose Python", "Show Log"],
    };
  }
  return {
    message: `Pytrix needs Python ${MIN_PYTHON.join(".")} or newer to run its server and found none. ${tried} Install Python, or set 'pytrix.server.python' to a Python ${MIN_PYTHON.join(".")}+ interpreter.`,
    actions: ["Install Python", "Choose Python", "Show Log"],
  };
}

/**
 * The server and the extension must come from the same release. With the
 * bundled server they always do; a user-chosen environment may hold another.
 */
export function versionMismatch(extensionVersion: string, serverVersion: string | undefined, plan: "bundled" | "environment"): string | undefined {
  if (!serverVersion || serverVersion === extensionVersion) return undefined;
  const fix =
    plan === "environment"
      ? `Upgrade it with 'pipx upgrade ${DISTRIBUTION}' (or 'pip install -U ${DISTRIBUTION}' in that environment), or set 'pytrix.server.importStrategy' to 'useBundled'.`
      : "Reinstall the extension.";
  return `The Pytrix server is version ${serverVersion} but the extension is ${extensionVersion}: some features may not work. ${fix}`;
}

/**
 * Restart a server that exited unexpectedly, unless it is crashing in a loop:
 * `max` exits within `windowMs` (the times include the latest exit).
 */
export function shouldRestart(exitTimes: readonly number[], now: number, max = 3, windowMs = 180_000): boolean {
  return exitTimes.filter((time) => now - time <= windowMs).length < max;
}

export const CRASH_LOOP_MESSAGE =
  "The Pytrix server stopped several times in a row, so it will not be restarted. The 'Pytrix' output shows why; choosing another Python may help.";
