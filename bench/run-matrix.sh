#!/usr/bin/env bash
# Builds Warren and warren-bench in Release, starts Warren on 127.0.0.1:5690 and (when installed)
# Debian's RabbitMQ on 127.0.0.1:5691, runs every case alternately against both and writes
# docs/benchmarks.md, docs/bench/*.svg and docs/bench/results.json. Takes the matrix options:
#
#   bench/run-matrix.sh                                   # defaults: 5 s runs × 3, backlog 200,000
#   bench/run-matrix.sh --duration 10 --runs 5 --messages 1000000
#   bench/run-matrix.sh --cases transient,rpc-1 --no-rabbitmq
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release -nologo -v q bench/Warren.Bench/Warren.Bench.csproj
exec dotnet bench/Warren.Bench/bin/Release/net10.0/warren-bench.dll matrix "$@"
