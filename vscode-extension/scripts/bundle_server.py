"""Bundle the Pytrix server and its libraries into the extension (``bundled/libs``).

The layout follows Microsoft's Python tool extensions: the libraries are
installed at build time into a folder of the .vsix, and the server starts with
that folder on ``sys.path`` (``bundled/tool/pytrix_launch.py``). The learner's
machine needs a Python >= 3.11 and nothing else: no venv, no pip, no network.

Binary wheels (pydantic-core, for example) are built per CPython version, so
the libraries are installed once per supported version for the target
platform, then split:

- ``libs/common``: every top-level entry that is byte-identical for all
  versions (the pure-Python libraries and the abi3 wheels);
- ``libs/cpXY``: what differs per version.

``cryptography`` (with ``cffi`` and ``pycparser``) is left out: google-auth
needs it only for certificate and service-account credentials, while Pytrix
authenticates with the learner's API key alone; it would add about 5 MB.

A test run can reuse an earlier run's libraries: with ``--reuse DIR`` (or
``PYTRIX_BUNDLE_REUSE``), a bundle is kept in DIR under a key of everything it
is built from (this script, the target, the versions, pip's version and
settings, every file in Pytrix's wheel) and the UTC day, so a reused bundle is
never older than the day's index; a later build with the same key copies it
instead of running pip. A release build leaves the option out.

Usage: python bundle_server.py --target linux-x64 [--out DIR] [--wheel PATH] [--reuse DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
REPO = EXTENSION.parent

# VS Code's platform targets -> pip's --platform tags (each pip tag is tried).
PLATFORMS: dict[str, list[str]] = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    "linux-arm64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"],
    "darwin-arm64": ["macosx_11_0_arm64", "macosx_11_0_universal2", "macosx_10_9_universal2"],
    "darwin-x64": ["macosx_10_12_x86_64", "macosx_10_9_x86_64", "macosx_10_9_universal2"],
    "win32-x64": ["win_amd64"],
}
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
LEFT_OUT = ("cryptography", "cffi", "pycparser", "_cffi_backend")


def log(message: str) -> None:
    print(f"[bundle] {message}", flush=True)


def build_wheel(workdir: Path) -> Path:
    """Build Pytrix's own wheel from the repository."""
    out = workdir / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
    )
    (wheel,) = out.glob("pytrix_practice-*.whl")
    return wheel


def install_for(wheel: Path, target: str, python: str, dest: Path) -> tuple[str, float]:
    """Install the wheel and its dependencies for one platform and CPython version; the version and the seconds it took."""
    began = time.monotonic()
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-compile", "--only-binary=:all:", "--target", str(dest),
        "--implementation", "cp", "--python-version", python,
    ]
    for tag in PLATFORMS[target]:
        command += ["--platform", tag]
    subprocess.run([*command, str(wheel)], check=True)
    forget_wheel_path(dest)
    shutil.rmtree(dest / "bin", ignore_errors=True)
    for entry in list(dest.iterdir()):
        if entry.name.split("-")[0].split(".")[0] in LEFT_OUT:
            remove(entry)
    # Libraries' own test suites (google-genai ships one, with sample tokens).
    for tests in sorted(dest.glob("*/**/tests"), reverse=True):
        if tests.is_dir() and (tests.parent / "__init__.py").is_file():
            shutil.rmtree(tests)
    return python, time.monotonic() - began


def forget_wheel_path(dest: Path) -> None:
    """Drop the record of where Pytrix's wheel was installed from (PEP 610 `direct_url.json`).

    It names the build's temporary folder, so it told nothing to anyone and made
    every bundle differ; its line in RECORD goes with it.
    """
    for info in dest.glob("pytrix_practice-*.dist-info"):
        (info / "direct_url.json").unlink(missing_ok=True)
        record = info / "RECORD"
        if record.is_file():
            lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
            record.write_text("".join(line for line in lines if not line.split(",", 1)[0].endswith("/direct_url.json")), encoding="utf-8")


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def digest(path: Path) -> str:
    """A hash of a file, or of a folder's relative paths and contents."""
    hasher = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        hasher.update(str(file.relative_to(path.parent)).encode())
        hasher.update(file.read_bytes())
    return hasher.hexdigest()


def split(staged: dict[str, Path], libs: Path) -> None:
    """Move entries identical for every version to libs/common, the rest to libs/cpXY."""
    common = libs / "common"
    common.mkdir(parents=True)
    first = next(iter(staged.values()))
    for entry in sorted(first.iterdir()):
        others = [root / entry.name for root in staged.values()]
        if all(p.exists() for p in others) and len({digest(p) for p in others}) == 1:
            shutil.move(str(entry), common / entry.name)
            for p in others[1:]:
                remove(p)
    for python, root in staged.items():
        shutil.move(str(root), libs / ("cp" + python.replace(".", "")))


def bundle_key(wheel: Path, target: str) -> str:
    """The name of a kept bundle: the day and a hash of everything the libraries are built from."""
    hasher = hashlib.sha256()
    hasher.update(Path(__file__).read_bytes())
    pip_settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("PIP_"))
    hasher.update(json.dumps([target, PYTHONS, importlib.metadata.version("pip"), pip_settings]).encode())
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            hasher.update(name.encode() + b"\0" + archive.read(name))
    day = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d")
    return f"{day}-{target}-{hasher.hexdigest()[:24]}"


def keep(libs: Path, reuse: Path, key: str) -> None:
    """Copy a new bundle into ``reuse`` (atomically, by a rename); drop the entries of earlier days."""
    reuse.mkdir(parents=True, exist_ok=True)
    for old in reuse.iterdir():
        if not old.name.startswith((".", key.split("-")[0])):  # "." : another build's copy in progress
            shutil.rmtree(old, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=reuse))
    shutil.copytree(libs, staging / "libs")
    with contextlib.suppress(OSError):  # another build kept the same bundle first
        (staging / "libs").rename(reuse / key)
    shutil.rmtree(staging, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, choices=sorted(PLATFORMS))
    parser.add_argument("--out", type=Path, default=EXTENSION / "bundled" / "libs")
    parser.add_argument("--wheel", type=Path, help="a built pytrix-practice wheel (default: build one)")
    parser.add_argument(
        "--reuse", type=Path, default=os.environ.get("PYTRIX_BUNDLE_REUSE") or None,
        help="a folder of kept bundles to reuse and add to (tests only; default: $PYTRIX_BUNDLE_REUSE)",
    )
    args = parser.parse_args()
    libs: Path = args.out
    with tempfile.TemporaryDirectory(prefix="pytrix-bundle-") as tmp:
        work = Path(tmp)
        began = time.monotonic()
        wheel = args.wheel or build_wheel(work)
        log(f"{wheel.name} ({time.monotonic() - began:.1f} s) for {args.target}, CPython {', '.join(PYTHONS)}")
        key = bundle_key(wheel, args.target) if args.reuse else None
        if args.reuse and key and (args.reuse / key).is_dir():
            if libs.exists():
                shutil.rmtree(libs)
            shutil.copytree(args.reuse / key, libs)
            log(f"reused the kept bundle {args.reuse / key} (the same inputs today): no pip run")
            return report(libs, wheel)
        staged = {python: work / python for python in PYTHONS}
        # One pip per version at once: each mostly waits on its index look-ups,
        # downloads and unzips, and each writes only its own folder.
        with ThreadPoolExecutor(max_workers=len(PYTHONS)) as pool:
            for python, seconds in pool.map(lambda py: install_for(wheel, args.target, py, staged[py]), PYTHONS):
                log(f"installed for CPython {python} in {seconds:.1f} s")
        if libs.exists():
            shutil.rmtree(libs)
        libs.parent.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        split(staged, libs)
        log(f"split into common and per-version folders in {time.monotonic() - began:.1f} s")
        version = wheel.name.split("-")[1]
        manifest = {"pytrix": version, "target": args.target, "pythons": PYTHONS}
        (libs / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if args.reuse and key:
            keep(libs, args.reuse, key)
        return report(libs, wheel)


def report(libs: Path, wheel: Path) -> int:
    """Log the bundle's unpacked size and its manifest."""
    manifest = json.loads((libs / "manifest.json").read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in libs.rglob("*") if p.is_file())
    log(f"{libs}: {size / 1e6:.1f} MB unpacked (pytrix {manifest['pytrix']}, {manifest['target']}, from {wheel.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
