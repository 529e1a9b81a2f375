#!/usr/bin/env bash
# Server throughput (issue 8, item 3): requests/s of GET /engines/config/{instance} through the databacker server
# runtime (JWT validation, instance binding, negotiation, ETag helper) against a bare Kestrel endpoint returning the
# same bytes, and the 304 path against the 200 path; measured with wrk on 127.0.0.1, all in the same run.
#
#   benchmarks/load/server-throughput.sh            full run: 3 rounds of 10 s per path, medians, ratio table
#   benchmarks/load/server-throughput.sh --smoke    1 s per path: checks the script, status codes and request counts
#
# Options: --duration SECONDS, --rounds N, --connections N, --threads N, --no-build, --reference (also measures, in the
# same rounds and the api's pipeline, the same bytes from an anonymous minimal-API endpoint, a minimal-API endpoint
# behind the agent scheme and orchestration policy, a plain MVC action anonymous and behind the same scheme and policy:
# where the ceiling is).
# Needs wrk (Debian: apt-get install -y wrk) and curl. Exit status: 0 when every response was right; ratios never fail
# the run (they are reported, not asserted — a slow or shared machine must not fail CI).
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=10; rounds=3; connections=32; threads=2; build=1; smoke=0; reference=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; duration=1; rounds=1; connections=8; threads=1 ;;
    --duration) duration="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --no-build) build=0 ;;
    --reference) reference=1 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in wrk curl dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is required (wrk: apt-get install -y wrk)" >&2; exit 2; }
done

host_dir=benchmarks/Databacker.Api.LoadServer
if [ $build -eq 1 ]; then
  dotnet build "$host_dir" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null || { echo "build failed" >&2; exit 1; }
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$host_dir/bin/Release/net10.0/Databacker.Api.LoadServer.dll" --ready-file "$work/ready" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  [ -f "$work/ready" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the load server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done
[ -f "$work/ready" ] || { echo "the load server did not start" >&2; exit 1; }
value() { sed -n "s/^$1=//p" "$work/ready"; }
bare=$(value bare); api=$(value api); path=$(value path); token=$(value token); etag=$(value etag); bytes=$(value bytes)
other_path="${path%/*}/another-instance"; instance="${path##*/}"

failures=0
check() { # name expected-status curl-args...
  local name=$1 expected=$2; shift 2
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  if [ "$status" = "$expected" ]; then echo "ok   $name: $status"; else echo "FAIL $name: $status, expected $expected"; failures=$((failures + 1)); fi
}
echo "== response checks ($bytes-byte configuration document)"
check "bare endpoint" 200 "$bare$path"
check "authenticated GET" 200 -H "Authorization: Bearer $token" "$api$path"
check "authenticated GET with the current ETag" 304 -H "Authorization: Bearer $token" -H "If-None-Match: $etag" "$api$path"
check "GET without a token" 401 "$api$path"
check "GET of another instance's configuration (instance binding)" 403 -H "Authorization: Bearer $token" "$api$other_path"
if [ $reference -eq 1 ]; then
  check "reference: minimal API" 200 "$api/reference/minimal/$instance"
  check "reference: minimal API + agent policy" 200 -H "Authorization: Bearer $token" "$api/reference/minimal-auth/$instance"
  check "reference: minimal API + agent policy, another instance" 403 -H "Authorization: Bearer $token" "$api/reference/minimal-auth/another-instance"
  check "reference: MVC action" 200 "$api/reference/mvc/$instance"
  check "reference: MVC action + agent policy" 200 -H "Authorization: Bearer $token" "$api/reference/mvc-auth/$instance"
  check "reference: MVC action + agent policy, no token" 401 "$api/reference/mvc-auth/$instance"
fi
if [ "$(curl -s -H "Authorization: Bearer $token" "$api$path" | cmp -s - <(curl -s "$bare$path") && echo same)" = same ]; then
  echo "ok   the bare endpoint returns the same bytes"
else
  echo "FAIL the bare endpoint's body differs"; failures=$((failures + 1))
fi

declare -A results
measure() { # key expected-status url [wrk args...]
  local key=$1 expected=$2 url=$3; shift 3
  local script=() out rps requests
  if [ $smoke -eq 1 ]; then script=(-s benchmarks/load/status-count.lua); fi
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" "${script[@]}" "$@" "$url" 2>&1) || true
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  if [ -z "$rps" ] || [ "${requests:-0}" -eq 0 ]; then
    echo "FAIL $key: no requests completed"; echo "$out"; failures=$((failures + 1)); rps=0
  fi
  if echo "$out" | grep -q "Non-2xx or 3xx responses"; then
    echo "FAIL $key: $(echo "$out" | grep "Non-2xx or 3xx responses")"; failures=$((failures + 1))
  fi
  if [ $smoke -eq 1 ]; then
    local statuses
    statuses=$(echo "$out" | sed -n 's/^status \([0-9]*\): \([0-9]*\)$/\1=\2/p' | tr '\n' ' ')
    if [ "$statuses" != "$expected=$requests " ]; then
      echo "FAIL $key: statuses ${statuses:-none}, expected all $requests to be $expected"; failures=$((failures + 1))
    else
      echo "ok   $key: $requests requests, all $expected"
    fi
  fi
  results[$key]="${results[$key]:-} $rps"
}

if [ $smoke -eq 0 ]; then # warm up (JIT, tiered compilation, connection pools); not recorded
  for url_headers in "$bare$path" "$api$path"; do wrk -t"$threads" -c"$connections" -d2s -H "Authorization: Bearer $token" "$url_headers" >/dev/null 2>&1 || true; done
  wrk -t"$threads" -c"$connections" -d2s -H "Authorization: Bearer $token" -H "If-None-Match: $etag" "$api$path" >/dev/null 2>&1 || true
  if [ $reference -eq 1 ]; then
    for url in "$api/reference/minimal/$instance" "$api/reference/minimal-auth/$instance" "$api/reference/mvc/$instance" "$api/reference/mvc-auth/$instance"; do
      wrk -t"$threads" -c"$connections" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null 2>&1 || true
    done
  fi
fi
echo "== wrk: $rounds round(s) of ${duration}s per path, $threads thread(s), $connections connections, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  measure bare 200 "$bare$path"
  measure ok200 200 "$api$path" -H "Authorization: Bearer $token"
  measure nm304 304 "$api$path" -H "Authorization: Bearer $token" -H "If-None-Match: $etag"
  if [ $reference -eq 1 ]; then
    measure min 200 "$api/reference/minimal/$instance"
    measure minauth 200 "$api/reference/minimal-auth/$instance" -H "Authorization: Bearer $token"
    measure mvc 200 "$api/reference/mvc/$instance"
    measure mvcauth 200 "$api/reference/mvc-auth/$instance" -H "Authorization: Bearer $token"
  fi
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
b=$(echo "${results[bare]}" | median); o=$(echo "${results[ok200]}" | median); n=$(echo "${results[nm304]}" | median)
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x / y; else print "n/a" }'; }
echo
echo "| Path (GET /engines/config/{instance}) | Requests/s (median) | Rounds | Ratio | Target |"
echo "|---|---:|---|---:|---|"
printf "| bare Kestrel, same bytes | %.0f | %s | 1.00 | baseline |\n" "$b" "$(echo ${results[bare]})"
printf "| runtime: JWT + instance binding, 200 | %.0f | %s | %s× bare | ≥ 0.80× bare |\n" "$o" "$(echo ${results[ok200]})" "$(ratio "$o" "$b")"
printf "| runtime: JWT + instance binding, 304 | %.0f | %s | %s× the 200 path (%s× bare) | ≥ 3× the 200 path |\n" "$n" "$(echo ${results[nm304]})" "$(ratio "$n" "$o")" "$(ratio "$n" "$b")"
if [ $reference -eq 1 ]; then
  for key in min minauth mvc mvcauth; do
    case $key in
      min) label="reference: minimal API, anonymous, same pipeline" ;;
      minauth) label="reference: minimal API + agent token and policy" ;;
      mvc) label="reference: plain MVC action, anonymous" ;;
      mvcauth) label="reference: plain MVC action + agent token and policy" ;;
    esac
    m=$(echo "${results[$key]}" | median)
    printf "| %s | %.0f | %s | %s× bare | — |\n" "$label" "$m" "$(echo ${results[$key]})" "$(ratio "$m" "$b")"
  done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ $failures -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
