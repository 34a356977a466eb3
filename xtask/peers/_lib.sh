# shellcheck shell=bash
# Common helpers for the real-peer scripts in xtask/peers/.
# Sourced by swift.sh, keystone.sh and kamaki-py.sh; not meant to be run.
#
# Conventions:
#   * everything a script installs or writes lives under $PEERS_DIR
#     (${KAMAKI_PEERS_DIR:-$HOME/.cache/kamaki-rs/peers}); the only exception
#     is /etc/swift/swift.conf, which Swift reads from a hard-coded path;
#   * stdout carries only machine-readable output (`export ...` lines, paths);
#     progress and errors go to stderr;
#   * servers bind 127.0.0.1 only and are tracked by PID files.

PEERS_DIR="${KAMAKI_PEERS_DIR:-${HOME:-/root}/.cache/kamaki-rs/peers}"
mkdir -p "$PEERS_DIR" || { echo "cannot create $PEERS_DIR" >&2; exit 1; }
PEERS_DIR="$(cd "$PEERS_DIR" && pwd -P)" # absolute: pid checks match on it
# shellcheck disable=SC2034  # used by the scripts that source this file
PEERS_SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS_WAIT_TIMEOUT="${PEERS_WAIT_TIMEOUT:-60}"
# pip's own cache stays under the peers dir too.
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$PEERS_DIR/.pip-cache}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1

log() { printf '[%s] %s\n' "${PEER_NAME:-peers}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${PEER_NAME:-peers}" "$*" >&2; exit 1; }

# now_ms: wall clock in milliseconds (for timing reports).
now_ms() { date +%s%3N; }

# q VALUE: shell-quote a value for an `export` line.
q() { printf '%q' "$1"; }

apt_updated=0
# apt_install PACKAGE... -- install Debian packages (root only).
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "need Debian packages ($*) but apt-get is missing"
    [ "$(id -u)" -eq 0 ] || die "need Debian packages ($*); run as root or install them"
    log "installing Debian packages: $*"
    if [ "$apt_updated" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2 ||
        die "apt-get install $* failed"
}

# ensure_cmds CMD:DEBIAN_PACKAGE ...  -- install missing tools from Debian.
ensure_cmds() {
    local missing=() spec cmd pkg
    for spec in "$@"; do
        cmd="${spec%%:*}"
        pkg="${spec#*:}"
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    apt_install "${missing[@]}"
}

# find_python3: print a python3 (>= 3.9) that can create venvs.
find_python3() {
    local py="${PEERS_PYTHON3:-python3}"
    if ! command -v "$py" >/dev/null 2>&1; then
        ensure_cmds python3:python3
        py=python3
    fi
    "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
        die "$py is older than 3.9; set PEERS_PYTHON3 to a newer python3"
    if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    command -v "$py"
}

# make_venv DIR STAMP PIP_ARGS... -- (re)create a python3 venv in DIR and
# pip-install PIP_ARGS, unless DIR/.kamaki-peers-stamp already equals STAMP.
make_venv() {
    local dir="$1" stamp="$2"
    shift 2
    if [ -f "$dir/.kamaki-peers-stamp" ] && [ "$(cat "$dir/.kamaki-peers-stamp")" = "$stamp" ] &&
        [ -x "$dir/bin/python" ]; then
        return 0
    fi
    local py
    py="$(find_python3)"
    log "creating venv $dir (first install; this downloads from PyPI)"
    rm -rf "$dir"
    "$py" -m venv "$dir" || die "python3 -m venv $dir failed"
    "$dir/bin/python" -m pip install -q --upgrade pip >&2 || die "pip upgrade failed in $dir"
    "$dir/bin/python" -m pip install -q "$@" >&2 || die "pip install $* failed"
    printf '%s' "$stamp" >"$dir/.kamaki-peers-stamp"
}

# pid_alive PIDFILE: true when the pid in PIDFILE runs and is one of ours
# (its command line mentions $PEERS_DIR), which guards against recycled pids.
pid_alive() {
    local f="$1" pid
    [ -f "$f" ] || return 1
    pid="$(cat "$f" 2>/dev/null)" || return 1
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$PEERS_DIR"
}

# proc_running PID: true when PID exists and is not a zombie.
proc_running() {
    [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# stop_pidfiles PIDFILE... -- SIGTERM each live process, wait up to 10 s,
# then SIGKILL what is left; remove the pid files.
stop_pidfiles() {
    local f pid pids=() i left
    for f in "$@"; do
        if pid_alive "$f"; then
            pid="$(cat "$f")"
            pids+=("$pid")
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    for ((i = 0; i < 100; i++)); do
        left=0
        for pid in "${pids[@]}"; do
            if proc_running "$pid"; then left=1; fi
        done
        [ "$left" -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do
        if proc_running "$pid"; then
            log "pid $pid did not exit on SIGTERM within 10 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$@"
}

# port_busy PORT: true when something already listens on 127.0.0.1:PORT.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# spawn PIDFILE LOGFILE CMD... -- start CMD detached (own session), stdout and
# stderr appended to LOGFILE, pid recorded in PIDFILE.
spawn() {
    local pidfile="$1" logfile="$2"
    shift 2
    printf '\n===== %s start: %s\n' "$(date -Is)" "$*" >>"$logfile"
    setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
    echo $! >"$pidfile"
}

# fail_with_logs MESSAGE LOGFILE... -- print the tail of each log and die.
fail_with_logs() {
    local msg="$1" f
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        printf -- '----- tail -n 40 %s -----\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
    die "$msg"
}

# with_lock NAME: serialize start/stop of one peer (flock on a file).
with_lock() {
    mkdir -p "$PEERS_DIR"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$PEERS_DIR/.$1.lock"
        flock -w 120 9 || die "could not take lock $PEERS_DIR/.$1.lock within 120 s"
    fi
}
