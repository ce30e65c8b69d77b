#!/usr/bin/env bash
# Makes the Pulumi CLI, the Node language host and the dynamic-provider shim available in
# .tools/bin (ignored by git). Uses `pulumi` from PATH when it is there; otherwise builds the
# pinned release from Go modules (tools/pulumi-cli). Safe to run again: every file it puts in
# .tools/bin has a stamp saying where it came from, so a second run (even with .tools/bin first
# on PATH, as `npm start` has it) rebuilds nothing and needs no Go.
#
# .tools/bin holds real files (hard links, or copies across file systems), never symlinks: the
# CLI looks for its bundled plugins next to its own resolved executable, and warns on every
# command ("using pulumi-language-nodejs from $PATH at ... expected ...") when the one on PATH
# resolves elsewhere. With all of them in one folder the two are the same file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
version="$(sed -n 's#^\s*github.com/pulumi/pulumi/pkg/v3 v##p' "$root/tools/pulumi-cli/go.mod")"
mkdir -p "$bin"
say() { printf '[pulumi-toolchain] %s\n' "$*"; }

# Stamps: .NAME.version for what this script built from Go, .NAME.source for what it took from
# elsewhere: the source path and its identity, so a changed or upgraded source is taken again, and
# the identity of the file in .tools/bin, so one replaced by hand (a symlink, say) is replaced again.
built_ok() { [ -x "$bin/$1" ] && [ ! -L "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "${2:-$version}" ]; } # built_ok NAME [STAMP]
identity() { stat -c '%d:%i:%s:%Y' "$1"; }
source_stamp() { echo "$2 $(identity "$2") $(identity "$bin/$1")"; } # source_stamp NAME SOURCE
taken_ok() { # taken_ok NAME SOURCE
  [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.source" 2>/dev/null)" = "$(source_stamp "$1" "$2")" ]
}

# `pulumi` on PATH, not counting .tools/bin itself (npm start puts it first).
on_path() { # on_path NAME
  local dir IFS=:
  for dir in $PATH; do
    [ -n "$dir" ] && [ -d "$dir" ] || continue
    [ "$(cd "$dir" && pwd -P)" = "$(cd "$bin" && pwd -P)" ] && continue
    if [ -x "$dir/$1" ] && [ ! -d "$dir/$1" ]; then realpath "$dir/$1"; return 0; fi
  done
  return 1
}

take() { # take NAME SOURCE: hard link (or copy) SOURCE into .tools/bin as NAME
  local name="$1" src="$2"
  if taken_ok "$name" "$src"; then say "$name: already taken from $src"; return; fi
  rm -f "$bin/.$name.version" "$bin/.$name.source" "$bin/$name.tmp"
  ln "$src" "$bin/$name.tmp" 2>/dev/null || cp "$src" "$bin/$name.tmp"
  mv -f "$bin/$name.tmp" "$bin/$name"
  source_stamp "$name" "$src" > "$bin/.$name.source"
  say "$name: taken from $src"
}

have_go() { command -v go >/dev/null 2>&1; }

go_build() { # go_build NAME PACKAGE [STAMP]
  local name="$1" pkg="$2" stamp="${3:-$version}" started
  if built_ok "$name" "$stamp"; then say "$name $version: already built"; return; fi
  if ! have_go; then
    say "ERROR: neither '$name' on PATH nor the Go toolchain (go) to build it is available."
    say "Install Go 1.25+ (https://go.dev/dl) or the Pulumi CLI $version, then run this script again."
    exit 1
  fi
  started=$(date +%s)
  say "building $name $version from Go modules (the first build takes a few minutes)..."
  rm -f "$bin/.$name.version" "$bin/.$name.source"
  (cd "$root/tools/pulumi-cli" && GOFLAGS=-mod=mod GOBIN="$bin" go install \
     -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" "$pkg")
  echo "$stamp" > "$bin/.$name.version"
  say "built $name in $(( $(date +%s) - started ))s"
}

# The CLI: the one on PATH when there is one; else what an earlier run took or built here.
if existing="$(on_path pulumi)"; then
  take pulumi "$existing"
elif [ -x "$bin/pulumi" ] && [ ! -L "$bin/pulumi" ] && [ -f "$bin/.pulumi.source" ]; then
  say "pulumi: keeping the copy taken from $(cut -d' ' -f1 "$bin/.pulumi.source") (no pulumi on PATH now)"
else
  go_build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
fi

# The language host: the project's own (it exits when its engine is gone, and runs TypeScript as
# upstream's does) when it is built or Go can build it; without Go, the host installed next to
# the CLI on PATH.
upstream_host=""
if [ -n "${existing:-}" ] && [ -x "$(dirname "$existing")/pulumi-language-nodejs" ]; then
  upstream_host="$(realpath "$(dirname "$existing")/pulumi-language-nodejs")"
fi
# Its stamp covers its own sources too, so a checkout that pulled a change to the host rebuilds it.
host_stamp="$version sources:$(node -e '
  const fs = require("fs"), path = require("path"), hash = require("crypto").createHash("sha256");
  const dir = process.argv[1], host = "cmd/pulumi-language-nodejs";
  let files = ["go.mod", "go.sum"];
  try { files = files.concat(fs.readdirSync(path.join(dir, host)).filter((f) => f.endsWith(".go")).sort().map((f) => host + "/" + f)); } catch {}
  for (const f of files) { try { hash.update(f + "\0").update(fs.readFileSync(path.join(dir, f))); } catch {} }
  process.stdout.write(hash.digest("hex").slice(0, 16));
' "$root/tools/pulumi-cli")"
if built_ok pulumi-language-nodejs "$host_stamp" || have_go; then
  go_build pulumi-language-nodejs ./cmd/pulumi-language-nodejs "$host_stamp"
elif [ -n "$upstream_host" ]; then
  take pulumi-language-nodejs "$upstream_host"
elif [ -x "$bin/pulumi-language-nodejs" ] && [ ! -L "$bin/pulumi-language-nodejs" ] && [ -f "$bin/.pulumi-language-nodejs.source" ]; then
  say "pulumi-language-nodejs: keeping the copy taken from $(cut -d' ' -f1 "$bin/.pulumi-language-nodejs.source")"
elif [ -x "$bin/pulumi-language-nodejs" ] && [ -f "$bin/.pulumi-language-nodejs.version" ]; then
  say "pulumi-language-nodejs: keeping an earlier build from older sources (no Go here to rebuild it)"
else
  go_build pulumi-language-nodejs ./cmd/pulumi-language-nodejs "$host_stamp"
fi

# The YAML language host (YAML programs, and the provider plugin's tests through it): the one on
# PATH next to the CLI when there is one, else built from its Go module at a pinned version.
yaml_version="1.25.0"
if built_ok pulumi-language-yaml "$yaml_version"; then
  say "pulumi-language-yaml $yaml_version: already built"
elif [ -n "${existing:-}" ] && [ -x "$(dirname "$existing")/pulumi-language-yaml" ]; then
  take pulumi-language-yaml "$(realpath "$(dirname "$existing")/pulumi-language-yaml")"
elif have_go; then
  started=$(date +%s)
  say "building pulumi-language-yaml $yaml_version from Go modules..."
  rm -f "$bin/.pulumi-language-yaml.version" "$bin/.pulumi-language-yaml.source"
  GOBIN="$bin" go install "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v$yaml_version"
  echo "$yaml_version" > "$bin/.pulumi-language-yaml.version"
  say "built pulumi-language-yaml in $(( $(date +%s) - started ))s"
elif [ -x "$bin/pulumi-language-yaml" ]; then
  say "pulumi-language-yaml: keeping the copy in $bin (no Go here to rebuild it)"
else
  say "WARNING: no pulumi-language-yaml (nor Go to build it): YAML programs will not run"
fi

# Writes a file only when its content changed, by rename, so that a CLI of a test running in
# parallel never executes a half-written shim.
install_file() { # install_file NAME MODE < content
  local tmp="$bin/.$1.$$"
  cat > "$tmp"
  chmod "$2" "$tmp"
  if cmp -s "$tmp" "$bin/$1"; then rm -f "$tmp"; else mv -f "$tmp" "$bin/$1"; fi
}

# The dynamic provider's engine watch (tools/dynamic-provider/engine-watch.cjs), next to the shim
# that preloads it.
install_file pulumi-engine-watch.cjs 644 < "$root/tools/dynamic-provider/engine-watch.cjs"

# The engine starts dynamic providers through this executable; it runs the Node SDK's
# dynamic-provider entry point from the program's own node_modules, with the engine watch
# preloaded so that the provider exits when the CLI that started it is gone.
install_file pulumi-resource-pulumi-nodejs 755 <<'SHIM'
#!/bin/sh
script="$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))" 2>/dev/null)"
if [ -z "$script" ]; then
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed in $(pwd); run npm ci" >&2
  exit 1
fi
watch="$(dirname "$0")/pulumi-engine-watch.cjs"
if [ -f "$watch" ]; then exec node --require "$watch" "$script" "$@"; fi
exec node "$script" "$@"
SHIM
say "ready: $("$bin/pulumi" version) in $bin"
