#!/usr/bin/env bash
# Makes the Pulumi CLI, the Node language host and the dynamic-provider shim available in
# .tools/bin (ignored by git). Uses `pulumi` from PATH when it is there; otherwise builds the
# pinned release from Go modules (tools/pulumi-cli). Safe to run again: it rebuilds only what
# is missing or was built for another version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
version="$(sed -n 's#^\s*github.com/pulumi/pulumi/pkg/v3 v##p' "$root/tools/pulumi-cli/go.mod")"
mkdir -p "$bin"
say() { printf '[pulumi-toolchain] %s\n' "$*"; }

stamp_ok() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "$version" ]; }

go_build() { # go_build NAME PACKAGE
  local name="$1" pkg="$2" started
  if stamp_ok "$name"; then say "$name $version: already built"; return; fi
  if ! command -v go >/dev/null 2>&1; then
    say "ERROR: neither '$name' on PATH nor the Go toolchain (go) to build it is available."
    say "Install Go 1.25+ (https://go.dev/dl) or the Pulumi CLI $version, then run this script again."
    exit 1
  fi
  started=$(date +%s)
  say "building $name $version from Go modules (the first build takes a few minutes)..."
  (cd "$root/tools/pulumi-cli" && GOFLAGS=-mod=mod GOBIN="$bin" go install \
     -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" "$pkg")
  echo "$version" > "$bin/.$name.version"
  say "built $name in $(( $(date +%s) - started ))s"
}

existing="$(command -v pulumi || true)"
if [ -n "$existing" ] && [ "$existing" != "$bin/pulumi" ]; then
  say "using pulumi from PATH: $existing ($("$existing" version 2>/dev/null || echo 'unknown version'))"
  ln -sf "$existing" "$bin/pulumi"
  lang="$(dirname "$existing")/pulumi-language-nodejs"
  if [ -x "$lang" ]; then ln -sf "$lang" "$bin/pulumi-language-nodejs"; else go_build pulumi-language-nodejs ./cmd/pulumi-language-nodejs; fi
else
  go_build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go_build pulumi-language-nodejs ./cmd/pulumi-language-nodejs
fi

# The engine starts dynamic providers through this executable; it runs the Node SDK's
# dynamic-provider entry point from the program's own node_modules.
cat > "$bin/pulumi-resource-pulumi-nodejs" <<'SHIM'
#!/bin/sh
script="$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))" 2>/dev/null)"
if [ -z "$script" ]; then
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed in $(pwd); run npm ci" >&2
  exit 1
fi
exec node "$script" "$@"
SHIM
chmod +x "$bin/pulumi-resource-pulumi-nodejs"
say "ready: $("$bin/pulumi" version) in $bin"
