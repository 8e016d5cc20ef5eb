#!/usr/bin/env bash
# Records every new public symbol of the packages under src/ in their PublicAPI.Unshipped.txt (review the diff).
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn
done
