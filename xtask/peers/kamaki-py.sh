#!/usr/bin/env bash
# The original Python kamaki 0.16 client (Python 2.7) as a reference peer for
# kamaki-rs compatibility tests.  See README.md in this directory.
#
#   kamaki-py.sh install       create the Python 2.7 virtualenv (idempotent)
#   kamaki-py.sh path          print the path of the `kamaki` executable
#   kamaki-py.sh python        print the path of the venv's python2.7
#   kamaki-py.sh run ARGS...   run `kamaki ARGS...` (installs first if needed)
#
# Environment: KAMAKI_PEERS_DIR (cache root), KAMAKI_PY27 (a python2.7
# interpreter; default: pyenv's 2.7.18), KAMAKI_CONFIG (kamaki's config file;
# `run` defaults it to $KAMAKI_PEERS_DIR/kamaki-py/kamakirc so that
# ~/.kamakirc is never read or written).
set -euo pipefail

PEER_NAME=kamaki-py
# shellcheck source=_lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_lib.sh"

KP="$PEERS_DIR/kamaki-py"
TOOLS="$KP/tools"   # python3 venv holding virtualenv (can still create py2.7 envs)
VENV="$KP/venv27"
LOGS="$KP/log"

# virtualenv 20.22 dropped support for creating Python 2 environments.
VIRTUALENV_VERSION="20.21.1"
# Last releases that install and import on Python 2.7 (kamaki 0.16 needs
# objpool, progress, astakosclient and python-dateutil).
PY27_PINS=(
    "kamaki==0.16"
    "objpool==0.4"
    "progress==1.6"
    "astakosclient==0.19"
    "python-dateutil==2.8.2"
    "six==1.17.0"
)

find_py27() {
    local c
    local candidates=()
    [ -n "${KAMAKI_PY27:-}" ] && candidates+=("$KAMAKI_PY27")
    candidates+=("/root/.pyenv/versions/2.7.18/bin/python")
    if [ -n "${PYENV_ROOT:-}" ]; then
        candidates+=("$PYENV_ROOT/versions/2.7.18/bin/python")
    fi
    candidates+=("$HOME/.pyenv/versions/2.7.18/bin/python")
    if command -v pyenv >/dev/null 2>&1; then
        candidates+=("$(pyenv root 2>/dev/null)/versions/2.7.18/bin/python")
    fi
    if command -v python2.7 >/dev/null 2>&1; then
        candidates+=("$(command -v python2.7)")
    fi
    for c in "${candidates[@]}"; do
        if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)' 2>/dev/null; then
            echo "$c"
            return 0
        fi
    done
    die "no Python 2.7 interpreter found (tried: ${candidates[*]}); set KAMAKI_PY27 (Debian 12 ships no python2; pyenv can build 2.7.18)"
}

installed() {
    [ -x "$VENV/bin/kamaki" ] && [ -f "$VENV/.kamaki-peers-stamp" ] &&
        [ "$(cat "$VENV/.kamaki-peers-stamp")" = "${PY27_PINS[*]}" ]
}

do_install() {
    installed && return 0
    local t0 py27
    t0="$(now_ms)"
    mkdir -p "$KP" "$LOGS"
    py27="$(find_py27)"
    make_venv "$TOOLS" "virtualenv==$VIRTUALENV_VERSION" "virtualenv==$VIRTUALENV_VERSION"
    log "creating Python 2.7 virtualenv $VENV (from $py27)"
    rm -rf "$VENV"
    {
        printf '\n===== %s install\n' "$(date -Is)"
        VIRTUALENV_OVERRIDE_APP_DATA="$KP/.virtualenv-app-data" \
            "$TOOLS/bin/virtualenv" --no-periodic-update -p "$py27" "$VENV" &&
            "$VENV/bin/python" -m pip install --no-warn-script-location "${PY27_PINS[@]}"
    } >>"$LOGS/install.log" 2>&1 || fail_with_logs "installing kamaki 0.16 failed" "$LOGS/install.log"
    "$VENV/bin/python" -c 'import kamaki.clients.pithos, kamaki.clients.astakos, kamaki.cli' \
        >>"$LOGS/install.log" 2>&1 || fail_with_logs "kamaki installed but does not import" "$LOGS/install.log"
    printf '%s' "${PY27_PINS[*]}" >"$VENV/.kamaki-peers-stamp"
    log "kamaki 0.16 installed in $(($(now_ms) - t0)) ms"
}

case "${1:-}" in
install)
    with_lock kamaki-py
    do_install
    ;;
path)
    installed || die "not installed (run: $0 install)"
    echo "$VENV/bin/kamaki"
    ;;
python)
    installed || die "not installed (run: $0 install)"
    echo "$VENV/bin/python"
    ;;
run)
    shift
    if ! installed; then
        with_lock kamaki-py
        do_install
        exec 9>&-
    fi
    if [ -z "${KAMAKI_CONFIG:-}" ]; then
        # kamaki would otherwise write ~/.kamaki.history and ~/.kamaki.log.
        export KAMAKI_CONFIG="$KP/kamakirc"
        [ -f "$KAMAKI_CONFIG" ] || printf '%s\n' \
            '# Kamaki configuration file v0.16' \
            '[global]' \
            "history_file = $KP/kamaki.history" \
            "log_file = $KP/kamaki.log" >"$KAMAKI_CONFIG"
    fi
    exec "$VENV/bin/kamaki" "$@"
    ;;
*)
    echo "usage: $0 install|path|python|run ARGS..." >&2
    exit 2
    ;;
esac
