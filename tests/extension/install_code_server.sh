#!/usr/bin/env bash
# Install code-server 4.100 (VS Code 1.100, runs on Node 20) for the extension's
# end-to-end test, without network access beyond the npm registry:
# - its kerberos module builds from source (needs libkrb5-dev),
# - node-gyp is pointed at the installed Node's headers (npm_config_nodedir),
# - @vscode/ripgrep downloads rg from GitHub in postinstall, so its download
#   cache is pre-seeded with Debian's rg first.
# Usage: install_code_server.sh [DIR]   (default ~/.cache/pytrix-tools/code-server-4.100)
# Prints the path of the code-server launcher on its last line.
set -euo pipefail
DIR="${1:-${PYTRIX_TOOLS_DIR:-$HOME/.cache/pytrix-tools}/code-server-4.100}"
BIN="$DIR/node_modules/.bin/code-server"
if [[ -x "$BIN" && -f "$DIR/.complete" ]]; then
    echo "$BIN"
    exit 0
fi
command -v rg >/dev/null || { echo "ripgrep (rg) is missing: apt-get install -y ripgrep" >&2; exit 1; }
mkdir -p "$DIR"
TMP="${TMPDIR:-/tmp}"
# @vscode/ripgrep 1.15.x looks for this archive before downloading.
for version in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
    cache="$TMP/vscode-ripgrep-cache-$version"
    mkdir -p "$cache"
    for name in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz; do
        [[ -f "$cache/$name" ]] && continue
        stage="$(mktemp -d)"
        cp "$(command -v rg)" "$stage/rg"
        tar -C "$stage" -czf "$cache/$name" rg
        rm -rf "$stage"
    done
done
cd "$DIR"
[[ -f package.json ]] || echo '{"name": "pytrix-code-server", "private": true}' > package.json
export npm_config_yes=true
# node-gyp builds argon2, kerberos and node-pty: give it the headers of the
# installed Node, or it downloads them (which fails offline, from a fresh HOME).
if [[ -z "${npm_config_nodedir:-}" ]]; then
    prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
    for candidate in "$prefix" /usr /usr/local; do
        if [[ -f "$candidate/include/node/node.h" ]]; then
            export npm_config_nodedir="$candidate"
            break
        fi
    done
fi
[[ -n "${npm_config_nodedir:-}" ]] || { echo "Node's headers (include/node/node.h) are missing: apt-get install -y libnode-dev" >&2; exit 1; }
npm install code-server@4.100 --unsafe-perm --foreground-scripts --no-audit --no-fund \
    --dangerously-allow-all-scripts > install.log 2>&1 || { tail -40 install.log >&2; exit 1; }
test -x "$BIN"
touch .complete
echo "$BIN"
