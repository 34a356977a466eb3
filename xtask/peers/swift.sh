#!/usr/bin/env bash
# Real OpenStack Swift (proxy + account + container + object servers) for
# kamaki-rs integration tests.  See README.md in this directory.
#
#   swift.sh start   install if needed, start, wait, print `export` lines
#   swift.sh stop    stop every process this script started
#   swift.sh env     print the `export` lines of the running instance
#   swift.sh status  exit 0 when running
#
# Environment: KAMAKI_PEERS_DIR (cache root), SWIFT_PORT (proxy, default
# 8080), SWIFT_BACKEND_PORT (first of three backend ports, default 6210),
# SWIFT_WITH_UPDATER=1 (also run swift-container-updater so account
# listings/HEADs show object counts and bytes; off by default),
# PEERS_WAIT_TIMEOUT (seconds, default 60).
set -euo pipefail

PEER_NAME=swift
# shellcheck source=_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_lib.sh"

SWIFT_VERSION="2.38.3"
SWIFTCLIENT_VERSION="4.11.0"
SWIFT_PORT="${SWIFT_PORT:-8080}"
SWIFT_BACKEND_PORT="${SWIFT_BACKEND_PORT:-6210}"
OBJECT_PORT="$SWIFT_BACKEND_PORT"
CONTAINER_PORT="$((SWIFT_BACKEND_PORT + 1))"
ACCOUNT_PORT="$((SWIFT_BACKEND_PORT + 2))"

SW="$PEERS_DIR/swift"
VENV="$SW/venv"
ETC="$SW/etc"
DEVICES="$SW/data"
RUN="$SW/run"
LOGS="$SW/log"
SWIFT_CONF=/etc/swift/swift.conf
HASH_SUFFIX="kamaki-rs-peers-suffix"
HASH_PREFIX="kamaki-rs-peers-prefix"

AUTH_URL="http://127.0.0.1:$SWIFT_PORT/auth/v1.0"
SWIFT_USER_NAME="test:tester"
SWIFT_USER_KEY="testing"

SERVERS=(account container object proxy)

server_port() {
    case "$1" in
    account) echo "$ACCOUNT_PORT" ;;
    container) echo "$CONTAINER_PORT" ;;
    object) echo "$OBJECT_PORT" ;;
    proxy) echo "$SWIFT_PORT" ;;
    esac
}

install_swift() {
    ensure_cmds curl:curl setsid:util-linux
    make_venv "$VENV" "swift==$SWIFT_VERSION python-swiftclient==$SWIFTCLIENT_VERSION" \
        "swift==$SWIFT_VERSION" "python-swiftclient==$SWIFTCLIENT_VERSION"
}

write_swift_conf() {
    # Swift reads the hash path salts and storage policies from this fixed
    # path whatever swift_dir says.  We own the file if it carries our marker.
    local want
    want="$(
        cat <<EOF
# kamaki-rs-peers: written by xtask/peers/swift.sh; safe to delete.
[swift-hash]
swift_hash_path_suffix = $HASH_SUFFIX
swift_hash_path_prefix = $HASH_PREFIX

[storage-policy:0]
name = Policy-0
default = yes
EOF
    )"
    mkdir -p "$ETC"
    # Servers read swift.conf from swift_dir (set_swift_dir); some daemons
    # (container-updater) still read /etc/swift/swift.conf: write both.
    printf '%s\n' "$want" >"$ETC/swift.conf"
    if [ -f "$SWIFT_CONF" ]; then
        if grep -q '^# kamaki-rs-peers:' "$SWIFT_CONF"; then
            [ "$(cat "$SWIFT_CONF")" = "$want" ] && return 0
        else
            grep -q "^swift_hash_path_suffix *= *$HASH_SUFFIX\$" "$SWIFT_CONF" &&
                grep -q "^swift_hash_path_prefix *= *$HASH_PREFIX\$" "$SWIFT_CONF" && return 0
            log "WARNING: $SWIFT_CONF exists and was not written by this script; leaving it alone"
            log "WARNING: (only swift-container-updater reads it; servers use $ETC/swift.conf)"
            return 0
        fi
    fi
    mkdir -p "$(dirname "$SWIFT_CONF")" 2>/dev/null ||
        die "cannot create $(dirname "$SWIFT_CONF") (Swift needs $SWIFT_CONF; run as root)"
    printf '%s\n' "$want" >"$SWIFT_CONF" || die "cannot write $SWIFT_CONF (run as root)"
}

write_configs() {
    mkdir -p "$ETC" "$DEVICES/sdb1" "$RUN" "$LOGS" "$SW/lib" "$SW/recon"
    local user
    user="$(id -un)"

    # Swift always adds a syslog handler (falling back to UDP); this hook
    # drops it so that logs only go to the console (-v), i.e. our log files.
    cat >"$SW/lib/kamaki_peers_swiftlog.py" <<'EOF'
from logging.handlers import SysLogHandler


def drop_syslog(conf, name, log_to_console, log_route, fmt, logger,
                adapted_logger):
    for handler in list(logger.handlers):
        if isinstance(handler, SysLogHandler):
            logger.removeHandler(handler)
EOF

    if [ ! -s "$ETC/fernet.key" ]; then
        "$VENV/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' \
            >"$ETC/fernet.key"
    fi
    local fernet_key
    fernet_key="$(cat "$ETC/fernet.key")"

    local common="bind_ip = 127.0.0.1
workers = 0
user = $user
swift_dir = $ETC
devices = $DEVICES
mount_check = false
disable_fallocate = true
recon_cache_path = $SW/recon
log_level = INFO
log_custom_handlers = kamaki_peers_swiftlog.drop_syslog"

    cat >"$ETC/account-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $ACCOUNT_PORT

[pipeline:main]
pipeline = healthcheck account-server

[app:account-server]
use = egg:swift#account

[filter:healthcheck]
use = egg:swift#healthcheck

[account-replicator]
[account-auditor]
[account-reaper]
EOF

    cat >"$ETC/container-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $CONTAINER_PORT

[pipeline:main]
pipeline = healthcheck container-server

[app:container-server]
use = egg:swift#container
allow_versions = true

[filter:healthcheck]
use = egg:swift#healthcheck

[container-replicator]
[container-updater]
interval = 1
concurrency = 1
[container-auditor]
[container-sync]
EOF

    cat >"$ETC/object-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $OBJECT_PORT

[pipeline:main]
pipeline = healthcheck object-server

[app:object-server]
use = egg:swift#object

[filter:healthcheck]
use = egg:swift#healthcheck

[object-replicator]
[object-reconstructor]
[object-updater]
[object-auditor]
EOF

    cat >"$ETC/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $SWIFT_PORT
workers = 0
user = $user
swift_dir = $ETC
log_level = INFO
log_custom_handlers = kamaki_peers_swiftlog.drop_syslog

# No 'cache' (memcache) filter: tempauth issues self-contained fernet tokens.
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk tempurl tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
allow_account_management = true
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
user_test2_tester2 = testing2 .admin
user_test_tester3 = testing3
fernet_key_1 = $fernet_key
active_fernet_key_id = 1
token_life = 86400

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true

[filter:symlink]
use = egg:swift#symlink
EOF
}

build_rings() {
    local stamp="rings v1 part_power=8 replicas=1 a=$ACCOUNT_PORT c=$CONTAINER_PORT o=$OBJECT_PORT"
    if [ -f "$ETC/rings.stamp" ] && [ "$(cat "$ETC/rings.stamp")" = "$stamp" ] &&
        [ -f "$ETC/account.ring.gz" ] && [ -f "$ETC/container.ring.gz" ] && [ -f "$ETC/object.ring.gz" ]; then
        return 0
    fi
    log "building 1-replica rings with swift-ring-builder"
    local kind port rc
    for kind in account container object; do
        port="$(server_port "$kind")"
        rm -f "$ETC/$kind.builder" "$ETC/$kind.ring.gz"
        rm -rf "$ETC/backups"
        "$VENV/bin/swift-ring-builder" "$ETC/$kind.builder" create 8 1 1 >>"$LOGS/rings.log" 2>&1 ||
            fail_with_logs "swift-ring-builder create ($kind) failed" "$LOGS/rings.log"
        "$VENV/bin/swift-ring-builder" "$ETC/$kind.builder" add "r1z1-127.0.0.1:$port/sdb1" 1 \
            >>"$LOGS/rings.log" 2>&1 ||
            fail_with_logs "swift-ring-builder add ($kind) failed" "$LOGS/rings.log"
        rc=0
        "$VENV/bin/swift-ring-builder" "$ETC/$kind.builder" rebalance >>"$LOGS/rings.log" 2>&1 || rc=$?
        # exit status 1 is a warning (e.g. balance), 2 an error
        [ "$rc" -le 1 ] || fail_with_logs "swift-ring-builder rebalance ($kind) failed" "$LOGS/rings.log"
    done
    printf '%s' "$stamp" >"$ETC/rings.stamp"
}

all_running() {
    local s
    for s in "${SERVERS[@]}"; do
        pid_alive "$RUN/$s.pid" || return 1
    done
}

# get_auth: sets AUTH_HTTP_CODE, STORAGE_URL, TOKEN from the tempauth endpoint.
get_auth() {
    local hdrs
    AUTH_HTTP_CODE=000 STORAGE_URL="" TOKEN=""
    hdrs="$(curl -s -o /dev/null -D - --max-time 5 \
        -H "X-Auth-User: $SWIFT_USER_NAME" -H "X-Auth-Key: $SWIFT_USER_KEY" "$AUTH_URL" 2>/dev/null |
        tr -d '\r')" || return 1
    AUTH_HTTP_CODE="$(printf '%s\n' "$hdrs" | awk 'NR==1 {print $2}')"
    STORAGE_URL="$(printf '%s\n' "$hdrs" | awk -F': ' 'tolower($1)=="x-storage-url" {print $2}')"
    TOKEN="$(printf '%s\n' "$hdrs" | awk -F': ' 'tolower($1)=="x-auth-token" {print $2}')"
    [ "$AUTH_HTTP_CODE" = 200 ] && [ -n "$STORAGE_URL" ] && [ -n "$TOKEN" ]
}

backends_healthy() {
    local s
    for s in account container object; do
        [ "$(curl -s --max-time 2 "http://127.0.0.1:$(server_port "$s")/healthcheck" 2>/dev/null)" = OK ] ||
            return 1
    done
}

print_exports() {
    echo "export SWIFT_AUTH_URL=$(q "$AUTH_URL")"
    echo "export SWIFT_USER=$(q "$SWIFT_USER_NAME")"
    echo "export SWIFT_KEY=$(q "$SWIFT_USER_KEY")"
    echo "export SWIFT_STORAGE_URL=$(q "$STORAGE_URL")"
    echo "export SWIFT_TOKEN=$(q "$TOKEN")"
}

start_updater_if_wanted() {
    [ "${SWIFT_WITH_UPDATER:-0}" = 1 ] || return 0
    pid_alive "$RUN/container-updater.pid" && return 0
    PYTHONPATH="$SW/lib" spawn "$RUN/container-updater.pid" "$LOGS/container-updater.log" \
        "$VENV/bin/python" "$VENV/bin/swift-container-updater" "$ETC/container-server.conf" -v
}

do_stop() {
    local files=() s
    for s in "${SERVERS[@]}" container-updater; do
        files+=("$RUN/$s.pid")
    done
    stop_pidfiles "${files[@]}"
}

do_start() {
    local t0
    t0="$(now_ms)"
    if all_running && get_auth && backends_healthy; then
        log "already running on 127.0.0.1:$SWIFT_PORT"
        start_updater_if_wanted
        print_exports
        return 0
    fi
    do_stop # clean up a partial or stale instance
    install_swift
    write_swift_conf
    write_configs
    build_rings

    local s port
    for s in "${SERVERS[@]}"; do
        port="$(server_port "$s")"
        port_busy "$port" && die "127.0.0.1:$port (swift $s) is already in use by another process"
    done
    for s in "${SERVERS[@]}"; do
        PYTHONPATH="$SW/lib" spawn "$RUN/$s.pid" "$LOGS/$s.log" \
            "$VENV/bin/python" "$VENV/bin/swift-$s-server" "$ETC/$s-server.conf" -v
    done
    start_updater_if_wanted

    local deadline=$(($(date +%s) + PEERS_WAIT_TIMEOUT))
    local logs=("$LOGS/proxy.log" "$LOGS/account.log" "$LOGS/container.log" "$LOGS/object.log")
    until get_auth && backends_healthy; do
        for s in "${SERVERS[@]}"; do
            pid_alive "$RUN/$s.pid" || {
                do_stop
                fail_with_logs "swift-$s-server exited during start-up" "$LOGS/$s.log"
            }
        done
        if [ "$(date +%s)" -ge "$deadline" ]; then
            do_stop
            fail_with_logs "Swift not ready after ${PEERS_WAIT_TIMEOUT}s (auth HTTP $AUTH_HTTP_CODE)" "${logs[@]}"
        fi
        sleep 0.2
    done
    log "ready on 127.0.0.1:$SWIFT_PORT in $(($(now_ms) - t0)) ms"
    print_exports
}

do_env() {
    all_running || die "not running (start it with: $0 start)"
    get_auth || die "running, but $AUTH_URL answered HTTP $AUTH_HTTP_CODE"
    print_exports
}

case "${1:-}" in
start)
    with_lock swift
    do_start
    ;;
stop)
    with_lock swift
    do_stop
    log "stopped"
    ;;
env) do_env ;;
status)
    if all_running && get_auth; then
        log "running on 127.0.0.1:$SWIFT_PORT"
    else
        log "not running"
        exit 1
    fi
    ;;
*)
    echo "usage: $0 start|stop|env|status" >&2
    exit 2
    ;;
esac
