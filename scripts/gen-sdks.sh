#!/usr/bin/env bash
# Writes the genesys package's SDKs (Node.js/TypeScript, Go, Python) and its schema into sdk/, or
# into the folder given as the first argument (test/plugin/sdks.test.ts compares the two).
#
# The schema is what the plugin serves (`pulumi package get-schema bin/pulumi-resource-genesys`,
# so the package must be built). The SDKs come from Pulumi's own code generators at the release
# the CLI is built from, through tools/gen-sdks: `pulumi package gen-sdk` reaches them only through
# a language host per language, and none that implements it is available here (the project's Node
# host does not implement GeneratePackage; the Go, Python and .NET hosts' modules are not served).
# .NET: its generator left pkg/v3 for github.com/pulumi/pulumi-dotnet, which is not served either.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/sdk}" && cd "${1:-$root/sdk}" && pwd)"
bin="$root/.tools/bin"
export PATH="$bin:$PATH"
say() { printf '[gen-sdks] %s\n' "$*"; }

if ! command -v go >/dev/null 2>&1; then
  say "ERROR: the Go toolchain (go) builds the generator (tools/gen-sdks); install Go 1.25+ (https://go.dev/dl)."
  exit 1
fi
started=$(date +%s)
mkdir -p "$bin"
(cd "$root/tools/gen-sdks" && go build -o "$bin/gen-sdks" .)
say "generator built in $(( $(date +%s) - started ))s"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# No stack, no backend: only the plugin is started. PULUMI_HOME keeps the user's own plugins out.
PULUMI_HOME="$tmp/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
  pulumi package get-schema "$root/bin/pulumi-resource-genesys" > "$tmp/schema.json"
node -e 'const f = process.argv[1]; require("fs").writeFileSync(f, JSON.stringify(JSON.parse(require("fs").readFileSync(f, "utf8")), null, 2) + "\n")' "$tmp/schema.json"
cp "$tmp/schema.json" "$out/schema.json"
"$bin/gen-sdks" "$out/schema.json" "$out" nodejs go python
say "SDKs written to $out in $(( $(date +%s) - started ))s"
