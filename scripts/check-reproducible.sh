#!/usr/bin/env bash
# Builds the current tree twice, in two different directories, and checks that every jar, archive and SBOM is
# identical byte for byte (project.build.outputTimestamp fixes the times inside them).
# Usage: scripts/check-reproducible.sh [extra Maven arguments, e.g. -o]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/portoser-repro.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for build in a b; do
  mkdir -p "$work/$build"
  # The files git knows, as they are in the work tree (uncommitted edits included); no target/ directories.
  (cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) \
    | tar -xf - -C "$work/$build"
  echo "== build $build in $work/$build" >&2
  (cd "$work/$build" && ./mvnw -q -B "$@" package -DskipTests -Dportoser.fuzz.skip=true \
      -pl portoser-bom,portoser-core,portoser-ssh,portoser-vault,portoser-server,portoser-cli -am) >&2
  (cd "$work/$build" && find . -path '*/target/*' -maxdepth 3 \
      \( -name '*.jar' -o -name '*.tar.gz' -o -name '*.zip' -o -name 'bom.json' \) -print0 \
      | sort -z | xargs -0 sha256sum) > "$work/$build.sums"
done

count=$(wc -l < "$work/a.sums")
if diff -u "$work/a.sums" "$work/b.sums"; then
  echo "reproducible: $count artifacts identical in both builds"
else
  echo "NOT reproducible: the artifacts above differ between two builds of the same tree" >&2
  exit 1
fi
