#!/usr/bin/env bash
# Accepts the current public API as the new baseline of the japicmp check (run in ./mvnw verify): builds the
# library jars and copies them to api-baseline/, with a text listing of their public API (javap) that shows in
# review exactly what changed. Run it only for a deliberate API change, and commit api-baseline/ with it.
# Usage: scripts/update-api-baseline.sh [extra Maven arguments, e.g. -o]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
modules=(portoser-core portoser-ssh portoser-vault portoser-server)
./mvnw -q -B "$@" package -DskipTests -Dportoser.fuzz.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -Dcyclonedx.skip=true -pl "$(IFS=,; echo "${modules[*]}")" -am
mkdir -p api-baseline
for m in "${modules[@]}"; do
  jar=$(ls "$m"/target/"$m"-*.jar | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -n 1)
  cp "$jar" "api-baseline/$m.jar"
  # Public and protected members of the public classes outside internal packages, one class after another.
  classes=$(unzip -Z1 "$jar" | grep '\.class$' | grep -v -e '/internal/' -e 'module-info' | sed 's/\.class$//; s|/|.|g' | sort)
  # shellcheck disable=SC2086 # one argument per class
  # javap lists package-private classes too: keep only the blocks of public types.
  javap -protected -cp "$jar" $classes 2>/dev/null | grep -v '^Compiled from' \
    | awk '/^[^ }]/ { keep = ($1 == "public") } keep { print }' > "api-baseline/$m.api.txt"
  echo "api-baseline/$m.jar ($(grep -c '^public' "api-baseline/$m.api.txt") public types)"
done
