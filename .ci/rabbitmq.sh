#!/usr/bin/env bash
# Start or stop a throwaway RabbitMQ node (Debian's rabbitmq-server) on loopback for the interop
# tests; used by .ci/run when the workspace's shared copy is not beside the clone.
#   rabbitmq.sh start [PORT=5679]   installs rabbitmq-server if missing, starts a node on 127.0.0.1:PORT
#                                   with its data in a temp folder, waits until it accepts AMQP, and
#                                   prints its URI (amqp://guest:guest@127.0.0.1:PORT/) on stdout; its
#                                   management API listens on PORT+10000, Prometheus on PORT+10100
#   rabbitmq.sh restart [PORT=5679] restarts the broker application in place (durable data kept)
#   rabbitmq.sh stop [PORT=5679]    stops that node and removes its data
#
# Each port is its own node (rabbit-PORT@localhost), so several can run side by side.
set -euo pipefail
cmd=${1:-}; port=${2:-5679}
node="rabbit-$port@localhost"
base="${TMPDIR:-/tmp}/warren-rabbitmq-$port"
export RABBITMQ_NODENAME=$node RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port \
       RABBITMQ_DIST_PORT=$((port + 20000)) ERL_EPMD_ADDRESS=127.0.0.1 \
       RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" \
       RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
       RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

up() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

case "$cmd" in
  start)
    if ! command -v rabbitmq-server >/dev/null; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server) >/dev/null 2>&1 \
        || { echo "could not install rabbitmq-server" >&2; exit 1; }
    fi
    up && { echo "something already listens on 127.0.0.1:$port" >&2; exit 1; }
    mkdir -p "$base/mnesia" "$base/log"
    # The management API tests compare Warren's API with the management and Prometheus plugins.
    printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %d\nprometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = %d\n' \
      $((port + 10000)) $((port + 10100)) > "$base/rabbitmq.conf"
    echo "[rabbitmq_management,rabbitmq_prometheus]." > "$base/enabled_plugins"
    # Debian's start script drops root for the rabbitmq user: it must own the node's folders
    id rabbitmq >/dev/null 2>&1 && chown -R rabbitmq:rabbitmq "$base"
    setsid nohup rabbitmq-server >"$base/server.out" 2>&1 < /dev/null &
    for _ in $(seq 1 120); do
      if up && rabbitmqctl -q -n "$node" await_startup --timeout 5 >/dev/null 2>&1; then
        echo "amqp://guest:guest@127.0.0.1:$port/"; exit 0
      fi
      sleep 1
    done
    echo "RabbitMQ did not start on port $port; see $base/server.out and $base/log" >&2; exit 1 ;;
  restart)
    # Restarts the broker application in the running node: durable data stays, transient goes.
    rabbitmqctl -q -n "$node" stop_app >/dev/null && rabbitmqctl -q -n "$node" start_app >/dev/null \
      && rabbitmqctl -q -n "$node" await_startup --timeout 60 >/dev/null ;;
  stop)
    rabbitmqctl -q -n "$node" stop >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do up || break; sleep 1; done
    rm -rf "$base" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
