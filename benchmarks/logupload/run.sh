#!/usr/bin/env bash
# Log upload benchmark: 1 GiB of NDJSON through LogUploader vs curl POSTing the same file (-T), to the same
# Kestrel server on 127.0.0.1 (NdjsonLogReader, counting store). See README.md next to this script.
#   benchmarks/logupload/run.sh            full run: 1 GiB, 3 rounds (minutes)
#   benchmarks/logupload/run.sh --smoke    16 MiB, 1 round (seconds; what CI runs)
# Extra arguments go to the program, e.g. --bytes 268435456 --rounds 1 --chunk-bytes 1048576 --out results.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

args=()
if [ "${1:-}" = "--smoke" ]; then
  shift
  args=(--bytes 16777216 --rounds 1)
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/Databacker.Api.LogUpload -c Release -v quiet -nologo
work="${LOGUPLOAD_WORK:-${TMPDIR:-/tmp}/databacker-logupload}"
# Arguments given here come first, so they win over the smoke defaults.
exec dotnet benchmarks/Databacker.Api.LogUpload/bin/Release/net10.0/Databacker.Api.LogUpload.dll run "$@" --work "$work" "${args[@]}"
