/**
 * Choosing and checking the Python that runs the Pytrix language server.
 *
 * Order: the `pytrix.server.python` setting, else the Python extension's
 * active interpreter, else `python3` (`python` on Windows). The chosen
 * interpreter is probed with a short script that reports its version, whether
 * `pytrix` imports, and where the server writes its log.
 */

export const MIN_PYTHON: readonly [number, number] = [3, 11];

export interface InterpreterChoice {
  command: string;
  source: "setting" | "python-extension" | "default";
}

export function chooseInterpreter(
  setting: string | undefined,
  pythonExtension: string | undefined,
  platform: string,
): InterpreterChoice {
  const configured = setting?.trim();
  if (configured) {
    return { command: configured, source: "setting" };
  }
  if (pythonExtension?.trim()) {
    return { command: pythonExtension.trim(), source: "python-extension" };
  }
  return { command: platform === "win32" ? "python" : "python3", source: "default" };
}

/** A script for `python -c`: one JSON line about the interpreter and pytrix. */
export const PROBE_SCRIPT = [
  "import json, sys",
  "info = {'version': list(sys.version_info[:3]), 'executable': sys.executable}",
  "try:",
  "    import pytrix",
  "    info['pytrix'] = getattr(pytrix, '__version__', '?')",
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
  logPath?: string;
  pytrixError?: string;
}

export type Verdict =
  | { ok: true; probe: ProbeResult }
  | { ok: false; reason: "not-found" | "too-old" | "no-pytrix" | "bad-output"; message: string; probe?: ProbeResult };

/** Judge a probe run: its exit code, stdout and stderr (or the spawn error). */
export function judgeProbe(
  command: string,
  run: { error?: string; code: number | null; stdout: string; stderr: string },
): Verdict {
  if (run.error !== undefined) {
    return {
      ok: false,
      reason: "not-found",
      message: `Pytrix could not start Python '${command}' (${run.error}). Set 'pytrix.server.python' to a Python 3.11+ interpreter.`,
    };
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
      message: `'${command}' did not behave like Python 3.11+ (exit ${run.code}${detail ? `: ${detail}` : ""}). Set 'pytrix.server.python'.`,
    };
  }
  const [major, minor] = probe.version;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return {
      ok: false,
      reason: "too-old",
      probe,
      message: `Pytrix needs Python ${MIN_PYTHON.join(".")} or newer; '${command}' is ${probe.version.join(".")}. Choose another interpreter in 'pytrix.server.python'.`,
    };
  }
  if (probe.pytrix === undefined) {
    return {
      ok: false,
      reason: "no-pytrix",
      probe,
      message: `Pytrix is not installed for ${probe.executable} (${probe.pytrixError ?? "import failed"}).`,
    };
  }
  return { ok: true, probe };
}

/**
 * What to `pip install`: a workspace folder holding the Pytrix sources (its
 * pyproject.toml names the project "pytrix"), else the package from PyPI.
 */
export function installTarget(workspaceProjects: { folder: string; pyproject: string | undefined }[]): string {
  for (const { folder, pyproject } of workspaceProjects) {
    if (pyproject && /^\s*name\s*=\s*["']pytrix["']/m.test(pyproject)) {
      return folder;
    }
  }
  return "pytrix";
}

export function installArgs(target: string): string[] {
  return ["-m", "pip", "install", target];
}
