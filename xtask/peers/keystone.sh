#!/usr/bin/env bash
# Real OpenStack Keystone (Identity v3, SQLite, fernet tokens) for kamaki-rs
# integration tests.  See README.md in this directory.
#
#   keystone.sh start   install + bootstrap if needed, start, wait, print exports
#   keystone.sh stop    stop the server this script started
#   keystone.sh env     print the `export` lines of the running instance
#   keystone.sh status  exit 0 when running
#   keystone.sh reset   stop and delete the database and keys (not the venv)
#
# Environment: KAMAKI_PEERS_DIR (cache root), KEYSTONE_PORT (default 5000),
# SWIFT_PORT (object-store catalog entry, default 8080), PEERS_WAIT_TIMEOUT.
set -euo pipefail

PEER_NAME=keystone
# shellcheck source=_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_lib.sh"

KEYSTONE_VERSION="30.0.0"
KEYSTONE_PORT="${KEYSTONE_PORT:-5000}"
SWIFT_PORT="${SWIFT_PORT:-8080}"

KS="$PEERS_DIR/keystone"
VENV="$KS/venv"
ETC="$KS/etc"
RUN="$KS/run"
LOGS="$KS/log"
CONF="$ETC/keystone.conf"
PIDFILE="$RUN/keystone.pid"

AUTH_URL="http://127.0.0.1:$KEYSTONE_PORT/v3"
ADMIN_USER="admin"
ADMIN_PASSWORD=secret
ADMIN_PROJECT="admin"
REGION=RegionOne
DOMAIN=Default

install_keystone() {
    ensure_cmds curl:curl setsid:util-linux
    make_venv "$VENV" "keystone==$KEYSTONE_VERSION" "keystone==$KEYSTONE_VERSION"
}

write_config() {
    mkdir -p "$ETC" "$RUN" "$LOGS" "$KS/fernet-keys" "$KS/credential-keys"
    chmod 700 "$KS/fernet-keys" "$KS/credential-keys"
    cat >"$CONF" <<EOF
# written by xtask/peers/keystone.sh
[DEFAULT]
debug = false
use_stderr = true

[database]
connection = sqlite:///$KS/keystone.db

[token]
provider = fernet
expiration = 86400

[fernet_tokens]
key_repository = $KS/fernet-keys

[fernet_receipts]
key_repository = $KS/fernet-keys

[credential]
key_repository = $KS/credential-keys

[cache]
enabled = false

[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
EOF
}

manage() {
    printf '\n===== %s keystone-manage %s\n' "$(date -Is)" "$*" >>"$LOGS/setup.log"
    "$VENV/bin/keystone-manage" --config-file "$CONF" "$@" >>"$LOGS/setup.log" 2>&1 ||
        fail_with_logs "keystone-manage $1 failed" "$LOGS/setup.log"
}

bootstrap() {
    local stamp="keystone=$KEYSTONE_VERSION port=$KEYSTONE_PORT"
    if [ -f "$KS/bootstrap.stamp" ] && [ "$(cat "$KS/bootstrap.stamp")" = "$stamp" ] &&
        [ -f "$KS/keystone.db" ]; then
        return 0
    fi
    log "initialising database, keys and admin account (keystone-manage)"
    local u g
    u="$(id -un)"
    g="$(id -gn)"
    manage db_sync
    [ -f "$KS/fernet-keys/0" ] || manage fernet_setup --keystone-user "$u" --keystone-group "$g"
    [ -f "$KS/credential-keys/0" ] || manage credential_setup --keystone-user "$u" --keystone-group "$g"
    manage bootstrap \
        --bootstrap-username "$ADMIN_USER" \
        --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-project-name "$ADMIN_PROJECT" \
        --bootstrap-role-name admin \
        --bootstrap-service-name keystone \
        --bootstrap-region-id "$REGION" \
        --bootstrap-admin-url "$AUTH_URL" \
        --bootstrap-internal-url "$AUTH_URL" \
        --bootstrap-public-url "$AUTH_URL"
    printf '%s' "$stamp" >"$KS/bootstrap.stamp"
}

# token_ok: POST /v3/auth/tokens with the admin password; 201 + X-Subject-Token.
token_ok() {
    local hdrs code
    hdrs="$(curl -s -o /dev/null -D - --max-time 10 -H 'Content-Type: application/json' \
        --data-binary "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$ADMIN_USER\",\"domain\":{\"name\":\"$DOMAIN\"},\"password\":\"$ADMIN_PASSWORD\"}}},\"scope\":{\"project\":{\"name\":\"$ADMIN_PROJECT\",\"domain\":{\"name\":\"$DOMAIN\"}}}}}" \
        "$AUTH_URL/auth/tokens" 2>/dev/null | tr -d '\r')" || return 1
    code="$(printf '%s\n' "$hdrs" | awk 'NR==1 {print $2}')"
    [ "$code" = 201 ] && printf '%s\n' "$hdrs" | grep -qi '^x-subject-token: .'
}

print_exports() {
    echo "export KEYSTONE_AUTH_URL=$(q "$AUTH_URL")"
    echo "export KEYSTONE_USER=$(q "$ADMIN_USER")"
    echo "export KEYSTONE_PASSWORD=$(q "$ADMIN_PASSWORD")"
    echo "export KEYSTONE_PROJECT=$(q "$ADMIN_PROJECT")"
    echo "export KEYSTONE_USER_DOMAIN=$(q "$DOMAIN")"
    echo "export KEYSTONE_PROJECT_DOMAIN=$(q "$DOMAIN")"
    echo "export KEYSTONE_REGION=$(q "$REGION")"
}

do_stop() {
    stop_pidfiles "$PIDFILE"
}

do_start() {
    local t0
    t0="$(now_ms)"
    if pid_alive "$PIDFILE" && token_ok; then
        log "already running on 127.0.0.1:$KEYSTONE_PORT"
        print_exports
        return 0
    fi
    do_stop
    install_keystone
    write_config
    bootstrap
    port_busy "$KEYSTONE_PORT" && die "127.0.0.1:$KEYSTONE_PORT is already in use by another process"

    spawn "$PIDFILE" "$LOGS/keystone.log" \
        "$VENV/bin/python" "$PEERS_SRC_DIR/keystone_serve.py" 127.0.0.1 "$KEYSTONE_PORT" "$CONF"

    local deadline=$(($(date +%s) + PEERS_WAIT_TIMEOUT))
    until token_ok; do
        if ! pid_alive "$PIDFILE"; then
            do_stop
            fail_with_logs "keystone exited during start-up" "$LOGS/keystone.log"
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            do_stop
            fail_with_logs "Keystone did not issue a token within ${PEERS_WAIT_TIMEOUT}s" "$LOGS/keystone.log"
        fi
        sleep 0.3
    done
    "$VENV/bin/python" "$PEERS_SRC_DIR/keystone_catalog.py" \
        "$AUTH_URL" "$ADMIN_USER" "$ADMIN_PASSWORD" "$ADMIN_PROJECT" "$REGION" "$SWIFT_PORT" \
        2>>"$LOGS/setup.log" || {
        do_stop
        fail_with_logs "registering the extra catalog entries failed" "$LOGS/setup.log" "$LOGS/keystone.log"
    }
    log "ready on 127.0.0.1:$KEYSTONE_PORT in $(($(now_ms) - t0)) ms"
    print_exports
}

case "${1:-}" in
start)
    with_lock keystone
    do_start
    ;;
stop)
    with_lock keystone
    do_stop
    log "stopped"
    ;;
env)
    pid_alive "$PIDFILE" || die "not running (start it with: $0 start)"
    token_ok || die "running, but no token from $AUTH_URL/auth/tokens"
    print_exports
    ;;
status)
    if pid_alive "$PIDFILE" && token_ok; then
        log "running on 127.0.0.1:$KEYSTONE_PORT"
    else
        log "not running"
        exit 1
    fi
    ;;
reset)
    with_lock keystone
    do_stop
    rm -rf "$KS/keystone.db" "$KS/fernet-keys" "$KS/credential-keys" "$KS/bootstrap.stamp" "$ETC"
    log "database and keys removed (venv kept)"
    ;;
*)
    echo "usage: $0 start|stop|env|status|reset" >&2
    exit 2
    ;;
esac
