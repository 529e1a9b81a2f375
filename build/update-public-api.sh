#!/usr/bin/env bash
# Updates the public-API baselines (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of the four libraries after a
# deliberate change of their public surface, generated code included.
#
#   build/update-public-api.sh          declare what changed: additions go to PublicAPI.Unshipped.txt, removals of
#                                       unshipped API leave it, removals of shipped API become *REMOVED* lines
#   build/update-public-api.sh --ship   at a release: fold PublicAPI.Unshipped.txt into PublicAPI.Shipped.txt
#
# Why not `dotnet format analyzers --diagnostics RS0016 RS0017`: dotnet format applies no fix inside generated
# files (obj/Generated/*.g.cs), which hold most of the surface. The analyzer's own messages carry each symbol in the
# exact form the baseline files use, so this script builds with RS0016/RS0017 as warnings and applies them.
# Review the diff of the PublicAPI.*.txt files before committing it: it is the change of the public API.
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(Databacker.Api.Contracts Databacker.Api.Auth Databacker.Api.Client Databacker.Api.Server.Abstractions)
header='#nullable enable'

ship() {
  local dir=$1 shipped=$1/PublicAPI.Shipped.txt unshipped=$1/PublicAPI.Unshipped.txt tmp
  tmp=$(mktemp)
  {
    grep -vx "$header" "$shipped" || true
    grep -vx "$header" "$unshipped" | grep -v '^\*REMOVED\*' || true
  } | grep -v '^$' | grep -vxF -f <(grep '^\*REMOVED\*' "$unshipped" | sed 's/^\*REMOVED\*//' || true) \
    | LC_ALL=C sort -u > "$tmp" || true
  { echo "$header"; cat "$tmp"; } > "$shipped"
  echo "$header" > "$unshipped"
  rm -f "$tmp"
  echo "$dir: $(grep -vcx "$header" "$shipped" || true) shipped"
}

if [ "${1:-}" = "--ship" ]; then
  for p in "${projects[@]}"; do ship "$p"; done
  exit 0
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Rebuild (so every compilation reports) with the two rules as warnings (so every project compiles and reports).
for top in Databacker.Api.Client Databacker.Api.Server.Abstractions; do
  dotnet build "$top/$top.csproj" --no-incremental -nologo -clp:NoSummary \
    -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >> "$log" 2>&1 || { cat "$log"; echo "build failed"; exit 1; }
done

changed=0
for p in "${projects[@]}"; do
  shipped=$p/PublicAPI.Shipped.txt unshipped=$p/PublicAPI.Unshipped.txt
  [ -f "$shipped" ] || echo "$header" > "$shipped"
  [ -f "$unshipped" ] || echo "$header" > "$unshipped"
  proj="[$PWD/$p/$p.csproj]"
  mine=$(grep -F "$proj" "$log" | sort -u || true)

  added=$(echo "$mine" | grep ' RS0016: ' | sed -E "s/.* RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/" | LC_ALL=C sort -u || true)
  removed_unshipped=$(echo "$mine" | grep ' RS0017: ' | grep -F 'PublicAPI.Unshipped.txt(' \
    | sed -E "s/.* RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/" | LC_ALL=C sort -u || true)
  removed_shipped=$(echo "$mine" | grep ' RS0017: ' | grep -F 'PublicAPI.Shipped.txt(' \
    | sed -E "s/.* RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*/\1/" | LC_ALL=C sort -u || true)

  tmp=$(mktemp)
  {
    grep -vx "$header" "$unshipped" | grep -vxF -f <(echo "$removed_unshipped" | grep -v '^$' || echo '') || true
    [ -n "$added" ] && echo "$added"
    [ -n "$removed_shipped" ] && echo "$removed_shipped" | sed 's/^/*REMOVED*/'
  } | grep -v '^$' | LC_ALL=C sort -u > "$tmp" || true
  { echo "$header"; cat "$tmp"; } > "$unshipped"
  rm -f "$tmp"

  n_added=$(echo -n "$added" | grep -c . || true)
  n_removed=$(( $(echo -n "$removed_unshipped" | grep -c . || true) + $(echo -n "$removed_shipped" | grep -c . || true) ))
  echo "$p: $n_added added, $n_removed removed"
  changed=$((changed + n_added + n_removed))

  other=$(echo "$mine" | grep -oE ' (warning|error) RS00[0-9]+: ' | grep -vE 'RS001[67]' | sort | uniq -c || true)
  if [ -n "$other" ]; then
    echo "$p: other public-API diagnostics need a code change, not a baseline change:"; echo "$other"
  fi
done
echo "$changed baseline line(s) changed; review: git diff -- '*/PublicAPI.*.txt'"
