# testbed/world: the field conditions (sourced by testbed/world): the silent onion's listener,
# the slow network's delay relay, the Tails-like tor and its phases, measurements.
# Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.

HELPER="$REPO/testbed/world-helper"
PROBE="$REPO/testbed/world-probe"

# A helper process of testbed/world-helper, recorded like every other process.
start_helper() { # record-name log args...
  local name=$1 log=$2; shift 2
  setsid /usr/bin/python3 "$HELPER" "$@" </dev/null >"$log" 2>&1 &
  record "$name" "$!" "$HELPER $*"
}

wait_port() { # piece port log
  local waited=0
  until port_open "$2"; do
    ((waited++ < 100)) || fail "$1" "$3" -- "port $2 not open after 10 s"
    sleep 0.1
  done
}

start_silent_listener() {
  start_helper silent "$LOG_DIR/silent.log" silent "$SILENT_PORT"
  wait_port "silent listener" "$SILENT_PORT" "$LOG_DIR/silent.log"
}

# Every slow relay's advertised ORPort is a delay relay in front of its real one.
start_delay_relay() {
  local i pairs=()
  for i in 0 1 2 3 4; do pairs+=("$((BASE + 510 + i)):$((BASE + 500 + i))"); done
  mkdir -p "$LOG_DIR"
  start_helper delay-relay "$LOG_DIR/delay-relay.log" delay "$SLOW_DELAY_MS" "${pairs[@]}"
  wait_port "delay relay" "$((BASE + 514))" "$LOG_DIR/delay-relay.log"
}

# ---------------------------------------------------------------------------------------------
# The Tails-like tor: a client of the main network with its own SocksPort and ControlPort
# (cookie), started with DisableNetwork 1 like Tails' tor at boot, its own connections going
# through the gate (a SOCKS5 proxy the world holds closed, like a blocked bridge) until released.
#   phase "disabled": SOCKS refused          (tails-tor reset)
#   phase "held":     SOCKS accepted, no circuit can be built  (tails-tor enable)
#   phase "released": bootstraps, onions reachable            (tails-tor release)

tails_write_torrc() {
  local d="$TAILS_DIR/tor"
  mkdir -p "$d"
  chmod 700 "$d"
  {
    tor_common_options "$d" tails "$TAILS_CONTROL_PORT"
    cat "$TOR_DIR/dirauthorities"
    cat <<EOF
SocksPort 127.0.0.1:$TAILS_SOCKS_PORT ExtendedErrors IsolateSOCKSAuth
DisableNetwork 1
Socks5Proxy 127.0.0.1:$TAILS_GATE_PORT
VanguardsLiteEnabled 0
EOF
  } >"$TAILS_DIR/torrc"
}

tails_gate() { echo "$1" >"$TAILS_DIR/gate.new" && mv "$TAILS_DIR/gate.new" "$TAILS_DIR/gate"; }

tails_start_gate() {
  mkdir -p "$TAILS_DIR"
  tails_gate hold
  start_helper tails-gate "$LOG_DIR/tails-gate.log" gate "$TAILS_GATE_PORT" "$TAILS_DIR/gate" \
    --watch "$TAILS_CONTROL_PORT" "$TAILS_DIR/tor/control_auth_cookie" "$TAILS_FLAG"
  wait_port "tails gate" "$TAILS_GATE_PORT" "$LOG_DIR/tails-gate.log"
}

tails_tor_start() { # fresh state, network disabled, gate held
  local d="$TAILS_DIR/tor" pid waited=0
  tails_gate hold
  rm -rf "$d"
  rm -f "$TAILS_FLAG"
  tails_write_torrc
  MALLOC_ARENA_MAX=1 tor -f "$TAILS_DIR/torrc" --quiet </dev/null >"$TAILS_DIR/start.log" 2>&1 \
    || fail "tails tor" "$TAILS_DIR/start.log" "$d/notice.log" -- "tor refused to start"
  while [ ! -s "$d/pid" ] || [ ! -s "$d/control_auth_cookie" ]; do
    ((waited++ < 100)) || fail "tails tor" "$d/notice.log" -- "no PidFile/control cookie after 10 s"
    sleep 0.1
  done
  pid="$(tr -dc '0-9' <"$d/pid")"
  is_ours "$pid" "-f $TAILS_DIR/torrc" || fail "tails tor" "$d/notice.log" -- "PidFile $pid does not belong to 'tor -f $TAILS_DIR/torrc'"
  record tails-tor "$pid" "-f $TAILS_DIR/torrc"
  echo disabled >"$TAILS_DIR/phase"
  date +%s%3N >"$TAILS_DIR/phase-since"
}

tails_tor_stop() {
  [ -f "$PROCS" ] || return 0
  local keep mine
  keep="$(grep -v '^tails-tor ' "$PROCS" || true)"
  mine="$(grep '^tails-tor ' "$PROCS" || true)"
  printf '%s\n' "$mine" >"$PROCS"
  stop_recorded
  [ -n "$keep" ] && printf '%s\n' "$keep" >"$PROCS"
  return 0
}

tails_control() { # command... (one ControlPort session; prints the replies)
  local hex fd line out=""
  hex="$(od -An -v -tx1 "$TAILS_DIR/tor/control_auth_cookie" | tr -d ' \n')"
  exec {fd}<>"/dev/tcp/127.0.0.1/$TAILS_CONTROL_PORT"
  { printf 'AUTHENTICATE %s\r\n' "$hex"; printf '%s\r\n' "$@"; printf 'QUIT\r\n'; } >&"$fd"
  while IFS= read -r -t 5 line <&"$fd"; do out+="${line%$'\r'}"$'\n'; done
  exec {fd}>&-
  printf '%s' "$out"
}

# What each phase change did, with the time and the tor's pid (read with the gate's log when a
# phase did not hold).
tails_log() { echo "$(date +%T.%3N) $* (tor pid $(tr -dc '0-9' <"$TAILS_DIR/tor/pid" 2>/dev/null))" >>"$LOG_DIR/tails-tor.log"; }

cmd_tails_tor() {
  [ -f "$ENV_FILE" ] || { say "no world at $WORLD_DIR (run: testbed/world up)"; exit 1; }
  env_load
  case "${1:-}" in
    reset)
      tails_tor_stop
      tails_tor_start
      port_open "$TAILS_SOCKS_PORT" && { say "tails-tor: SOCKS port open while the network is disabled"; exit 1; }
      tails_log "reset: fresh state, gate $(cat "$TAILS_DIR/gate")"
      say "tails-tor: fresh state, DisableNetwork 1 (SOCKS refused), gate held"
      ;;
    enable)
      local reply
      reply="$(tails_control "SETCONF DisableNetwork=0")"
      grep -q '^250 OK' <<<"${reply#*$'\n'}" || { say "tails-tor: SETCONF failed: $reply"; exit 1; }
      local waited=0
      until port_open "$TAILS_SOCKS_PORT"; do
        ((waited++ < 50)) || { say "tails-tor: SOCKS port still closed 5 s after SETCONF DisableNetwork=0"; exit 1; }
        sleep 0.1
      done
      echo held >"$TAILS_DIR/phase"
      date +%s%3N >"$TAILS_DIR/phase-since"
      tails_log "enable: DisableNetwork=0, gate $(cat "$TAILS_DIR/gate")"
      say "tails-tor: DisableNetwork=0 (SOCKS accepted); its connections still held at the gate"
      ;;
    release)
      tails_gate open
      echo released >"$TAILS_DIR/phase"
      date +%s%3N >"$TAILS_DIR/phase-since"
      tails_log "release: gate $(cat "$TAILS_DIR/gate")"
      say "tails-tor: gate open; tor bootstraps now"
      ;;
    status)
      echo "phase=$(cat "$TAILS_DIR/phase" 2>/dev/null || echo unknown) since_ms=$(cat "$TAILS_DIR/phase-since" 2>/dev/null || echo 0)"
      echo "gate=$(cat "$TAILS_DIR/gate" 2>/dev/null) flag=$([ -e "$TAILS_FLAG" ] && echo present || echo absent)"
      tails_control "GETINFO status/bootstrap-phase status/enough-dir-info" | grep '^250-' || true
      ;;
    *)
      echo "usage: testbed/world tails-tor reset|enable|release|status" >&2
      exit 2
      ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# The slow network measured at `up`: the XMPP round trip over TLS through the slow onion and the
# time to build a 3-hop circuit.

measure_slow() { # prints "SLOW_RTT_MS=… SLOW_CIRCUIT_MS=… MAIN_CIRCUIT_MS=… SAMPLES=…"
  local rtt circ main_circ
  rtt="$(/usr/bin/python3 "$PROBE" rtt --socks "127.0.0.1:$SLOW_SOCKS_PORT" --onion "$SLOW_ONION" --port 5222 \
    --domain "$XMPP_DOMAIN" --samples 3 2>"$LOG_DIR/slow-rtt.log")" || rtt=""
  circ="$(/usr/bin/python3 "$PROBE" circuit --control "$SLOW_CONTROL_PORT" --cookie "$SLOW_TOR_DIR/client/control_auth_cookie" \
    2>>"$LOG_DIR/slow-rtt.log")" || circ=""
  main_circ="$(/usr/bin/python3 "$PROBE" circuit --control "$CONTROL_PORT" --cookie "$TOR_DIR/client/control_auth_cookie" \
    2>>"$LOG_DIR/slow-rtt.log")" || main_circ=""
  echo "SLOW_RTT_MS=$(sed -n 's/^rtt_ms=\([0-9]*\).*/\1/p' <<<"$rtt")" \
    "SLOW_CIRCUIT_MS=$(sed -n 's/^circuit_ms=\([0-9]*\).*/\1/p' <<<"$circ")" \
    "MAIN_CIRCUIT_MS=$(sed -n 's/^circuit_ms=\([0-9]*\).*/\1/p' <<<"$main_circ")" \
    "SAMPLES=${rtt#*samples=}"
}

# Starts measure_slow in the background (it costs a few slow round trips); measure_slow_report
# collects and prints it.
measure_slow_start() {
  measure_slow >"$RUN/slow-measure" 2>/dev/null &
  MEASURE_PID=$!
}

measure_slow_report() {
  wait "$MEASURE_PID" || true
  local SAMPLES="" MAIN_CIRCUIT_MS=""
  eval "$(grep -E '^SLOW_RTT_MS=[0-9]* SLOW_CIRCUIT_MS=[0-9]* MAIN_CIRCUIT_MS=[0-9]* SAMPLES=[0-9,]*$' "$RUN/slow-measure")" || true
  [ -n "${SLOW_RTT_MS:-}" ] || say "slow network: round-trip measurement failed: $(tail -n 1 "$LOG_DIR/slow-rtt.log" 2>/dev/null)"
  say "slow network: XMPP round trip over TLS through the onion ${SLOW_RTT_MS:-?} ms (samples ${SAMPLES:-?} ms)," \
    "3-hop circuit ${SLOW_CIRCUIT_MS:-?} ms (main network: ${MAIN_CIRCUIT_MS:-?} ms); link delay ${SLOW_DELAY_MS} ms each way"
}
