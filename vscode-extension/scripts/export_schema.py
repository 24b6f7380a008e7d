"""Write the JSON Schema of every wire model (pytrix.responses) for the extension's generated types.

Usage: python scripts/export_schema.py [--out DIR] [--protocol FILE]

Writes ``DIR/protocol.schema.json`` (default: ``src/generated``, beside the
``protocol.ts`` that ``scripts/generate_types.mjs`` makes from it) and, unless
``--out`` is given, rewrites the generated *Response models* section of
docs/PROTOCOL.md (``--protocol`` writes that section to another file).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from pytrix.responses import markdown_reference, wire_schema

EXTENSION = Path(__file__).resolve().parent.parent
PROTOCOL_MD = EXTENSION.parent / "docs" / "PROTOCOL.md"
BLOCK = re.compile(r"(<!-- responses:begin -->\n).*?(<!-- responses:end -->)", re.S)


def schema_text() -> str:
    return json.dumps(wire_schema(), indent=2, sort_keys=True) + "\n"


def protocol_with_reference(text: str) -> str:
    """``text`` (docs/PROTOCOL.md) with its generated section holding the current models."""
    if not BLOCK.search(text):
        raise SystemExit("docs/PROTOCOL.md has no '<!-- responses:begin -->' ... '<!-- responses:end -->' section")
    return BLOCK.sub(lambda m: m.group(1) + markdown_reference() + m.group(2), text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for protocol.schema.json (docs are left alone)")
    parser.add_argument("--protocol", type=Path, help="write docs/PROTOCOL.md with its reference to this file")
    args = parser.parse_args()
    out = args.out or EXTENSION / "src" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    (out / "protocol.schema.json").write_text(schema_text(), encoding="utf-8")
    if args.protocol is not None or args.out is None:
        target = args.protocol or PROTOCOL_MD
        target.write_text(protocol_with_reference(PROTOCOL_MD.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
