"""Start the Pytrix server that ships inside the VS Code extension.

Usage: ``python -I pytrix_launch.py --probe`` (one JSON line about this
interpreter and the bundled server) or ``python -I pytrix_launch.py serve``
(any ``pytrix`` command line). It puts the extension's libraries on
``sys.path``: ``bundled/libs/cpXY`` for this interpreter's version, then
``bundled/libs/common``. Nothing is installed anywhere.

Kept to syntax that any Python 3 parses, so that an interpreter that is too
old gets a clear answer rather than a SyntaxError.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(os.path.dirname(HERE), "libs")


def _manifest():
    try:
        with open(os.path.join(LIBS, "manifest.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        return {"error": "the bundled server is missing or damaged (%s)" % exc}


def main(argv):
    manifest = _manifest()
    probe = argv[:1] == ["--probe"]
    info = {"version": list(sys.version_info[:3]), "executable": sys.executable, "bundled": True}
    abi = "cp%d%d" % sys.version_info[:2]
    pythons = manifest.get("pythons", [])
    problem = manifest.get("error")
    if problem is None and sys.version_info[:2] >= (3, 11) and not os.path.isdir(os.path.join(LIBS, abi)):
        problem = "the bundled server supports Python %s to %s; this is Python %d.%d" % (
            pythons[0] if pythons else "?", pythons[-1] if pythons else "?", sys.version_info[0], sys.version_info[1])
    if problem is None and sys.version_info[:2] >= (3, 11):
        sys.path[:0] = [os.path.join(LIBS, abi), os.path.join(LIBS, "common")]
        try:
            import pytrix
            from pytrix.paths import log_path

            info["pytrix"] = pytrix.__version__
            info["distribution"] = "pytrix-practice"
            info["logPath"] = str(log_path())
        except Exception as exc:  # reported to the extension, which shows it
            problem = "%s: %s" % (type(exc).__name__, exc)
    if problem is not None:
        info["pytrixError"] = problem
    if probe:
        print(json.dumps(info))
        return 0
    if problem is not None or sys.version_info[:2] < (3, 11):
        sys.stderr.write("pytrix: %s\n" % (problem or "Python 3.11 or newer is needed"))
        return 3
    from pytrix.cli import main as pytrix_main

    return pytrix_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
