# testbed/world: the private Tor networks (sourced by testbed/world).
#
# Two networks of the same shape (3 authorities a0-a2, 2 relays r3 r4, an onion service host hs,
# a client), started in parallel:
#   main  ports BASE+0..4 (ORPort), +100..104 (DirPort), +200..206 (ControlPort), +300 (SOCKS)
#   slow  ports BASE+500..504 (ORPort, listening), +510..514 (ORPort as advertised: the delay
#         relay in front of each), +600..604, +700..706, +800 (SOCKS)
# Facts behind the choices: ../shared/reference/tor-testnet.md.
# Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.

TOR_NODES=(a0 a1 a2 r3 r4 hs client)
AUTHORITIES=(a0 a1 a2)

# Selects a network: sets NET, NET_DIR, NET_OFF (port offset), NET_REC (record prefix), NET_ADV
# (offset of the advertised ORPorts; = 0 when the relays advertise what they listen on).
net_use() {
  case $1 in
    main) NET=main; NET_DIR="$TOR_DIR"; NET_OFF=0; NET_REC=tor; NET_ADV=0 ;;
    slow) NET=slow; NET_DIR="$SLOW_TOR_DIR"; NET_OFF=500; NET_REC=slowtor; NET_ADV=10 ;;
    *) fail "internal" -- "unknown network '$1'" ;;
  esac
}

node_index() { local i; for i in "${!TOR_NODES[@]}"; do [ "${TOR_NODES[$i]}" != "$1" ] || echo "$i"; done; }
net_control_port() { echo $((BASE + NET_OFF + 200 + $(node_index "$1"))); }
net_socks_port() { echo $((BASE + NET_OFF + 300)); }

# The onion services each network's hs publishes: "<dir name> <port>:<target> ...".
net_services() {
  case $NET in
    main)
      echo "hidden_service 5222:${C2S_PORT[default]} 5223:${TLS_PORT[default]} 5322:$EJABBERD_PORT 5422:${C2S_PORT[invite]}"
      echo "hs_captcha 5222:$EJABBERD_PORT 5223:$EJABBERD_TLS_PORT"
      echo "hs_closed 5222:${C2S_PORT[closed]} 5223:${TLS_PORT[closed]}"
      echo "hs_renew 5222:${C2S_PORT[renew]} 5223:${TLS_PORT[renew]}"
      echo "hs_silent 5222:$SILENT_PORT"
      ;;
    slow)
      echo "hs_open 5222:${C2S_PORT[default]} 5223:${TLS_PORT[default]}"
      echo "hs_captcha 5222:$EJABBERD_PORT 5223:$EJABBERD_TLS_PORT"
      ;;
  esac
}

gen_authority_keys() { # node-dir dirport nick; output in the node's gencert.log / fingerprint.out
  local d=$1 dirport=$2 n=$3
  mkdir -p "$d/keys"
  echo "" | tor-gencert --create-identity-key --passphrase-fd 0 -m 12 -a "127.0.0.1:$dirport" \
    -i "$d/keys/authority_identity_key" -s "$d/keys/authority_signing_key" \
    -c "$d/keys/authority_certificate" >"$d/gencert.log" 2>&1 || return 1
  tor --ignore-missing-torrc -f /dev/null --DataDirectory "$d" --ORPort 1 --Nickname "$n" \
    --list-fingerprint >"$d/fingerprint.out" 2>&1 || return 2
}

# The authorities' keys of the given networks, all in parallel (RSA key generation dominates on
# a busy machine).
tor_gen_keys() { # network...
  local net i pids=() what=() rc k
  for net in "$@"; do
    net_use "$net"
    for i in 0 1 2; do
      gen_authority_keys "$NET_DIR/${AUTHORITIES[$i]}" $((BASE + NET_OFF + 100 + i)) "${AUTHORITIES[$i]}" &
      pids+=($!)
      what+=("$NET_DIR/${AUTHORITIES[$i]}")
    done
  done
  for k in "${!pids[@]}"; do
    rc=0
    wait "${pids[$k]}" || rc=$?
    case $rc in
      0) ;;
      1) fail "tor-gencert (${what[$k]})" "${what[$k]}/gencert.log" -- "could not create authority keys" ;;
      *) fail "tor --list-fingerprint (${what[$k]})" "${what[$k]}/fingerprint.out" -- "could not read the relay fingerprint" ;;
    esac
  done
}

dir_authority_lines() { # of the current network
  local n i v3 fp
  for i in 0 1 2; do
    n=${AUTHORITIES[$i]}
    v3="$(awk '$1=="fingerprint"{print $2}' "$NET_DIR/$n/keys/authority_certificate")"
    fp="$(tail -n 1 "$NET_DIR/$n/fingerprint.out" | awk -v n="$n" '$1==n{$1=""; gsub(/ /,""); print}')"
    [[ "$v3" =~ ^[0-9A-F]{40}$ && "$fp" =~ ^[0-9A-F]{40}$ ]] \
      || fail "tor keys ($NET $n)" "$NET_DIR/$n/fingerprint.out" -- "unexpected fingerprint '$fp' / v3ident '$v3'"
    echo "DirAuthority $n orport=$((BASE + NET_OFF + NET_ADV + i)) no-v2 v3ident=$v3 127.0.0.1:$((BASE + NET_OFF + 100 + i)) $fp"
  done
}

# The options every tor of the network shares (chutney's rapid bootstrap, tor-testnet.md §3).
tor_common_options() { # datadir nickname controlport
  cat <<EOF
TestingTorNetwork 1
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteExit *
TestingDirAuthVoteHSDir *
TestingDirAuthVoteGuard *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
DataDirectory $1
Nickname $2
RunAsDaemon 1
PidFile $1/pid
ConnLimit 60
ShutdownWaitLength 0
ControlPort 127.0.0.1:$3
CookieAuthentication 1
Log notice file $1/notice.log
SafeLogging 0
LogTimeGranularity 1
ProtocolWarnings 1
Sandbox 0
GeoIPFile ""
GeoIPv6File ""
ServerDNSResolvConfFile /dev/null
ServerDNSDetectHijacking 0
ServerDNSTestAddresses
EOF
}

tor_write_torrcs() { # of the current network
  local authlines n i d line dir mapping
  authlines="$(dir_authority_lines)"
  [ "$(grep -c ^DirAuthority <<<"$authlines")" = 3 ] || fail "tor keys ($NET)" -- "could not build the DirAuthority lines"
  printf '%s\n' "$authlines" >"$NET_DIR/dirauthorities"
  for n in "${TOR_NODES[@]}"; do
    i=$(node_index "$n")
    d="$NET_DIR/$n"
    mkdir -p "$d"
    chmod 700 "$d"
    {
      tor_common_options "$d" "$n" "$((BASE + NET_OFF + 200 + i))"
      printf '%s\n' "$authlines"
      case $n in
        a* | r*)
          echo "SocksPort 0"
          if ((NET_ADV)); then
            # Listen on one port, advertise the delay relay's port in front of it.
            echo "ORPort 127.0.0.1:$((BASE + NET_OFF + NET_ADV + i)) NoListen"
            echo "ORPort 127.0.0.1:$((BASE + NET_OFF + i)) NoAdvertise"
          else
            echo "ORPort 127.0.0.1:$((BASE + NET_OFF + i))"
          fi
          cat <<EOF
DirPort 127.0.0.1:$((BASE + NET_OFF + 100 + i))
Address 127.0.0.1
ExitRelay 0
ExitPolicy reject *:*
AssumeReachable 1
EOF
          ;;
      esac
      case $n in
        a*)
          cat <<EOF
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
ContactInfo auth@test.test
V3AuthVotingInterval 10
V3AuthVoteDelay 2
V3AuthDistDelay 2
TestingV3AuthInitialVotingInterval 10
TestingV3AuthInitialVoteDelay 2
TestingV3AuthInitialDistDelay 2
EOF
          ;;
        hs)
          echo "SocksPort 0"
          # Vanguards-lite starved HS circuits on a loaded machine (tor-testnet.md §9.6).
          echo "VanguardsLiteEnabled 0"
          while read -r dir mapping; do
            echo "HiddenServiceDir $d/$dir"
            echo "HiddenServiceVersion 3"
            for line in $mapping; do echo "HiddenServicePort ${line%%:*} 127.0.0.1:${line#*:}"; done
          done < <(net_services)
          ;;
        client)
          echo "SocksPort 127.0.0.1:$(net_socks_port) ExtendedErrors IsolateSOCKSAuth"
          echo "VanguardsLiteEnabled 0"
          ;;
      esac
    } >"$d/torrc"
  done
}

tor_start_all() { # of the current network
  local n d pid waited
  for n in "${TOR_NODES[@]}"; do
    d="$NET_DIR/$n"
    rm -f "$d/pid"
    # One malloc arena per tor: ~240 MB instead of ~430 MB for the network (tor-testnet.md §5).
    MALLOC_ARENA_MAX=1 tor -f "$d/torrc" --quiet </dev/null >"$d/start.log" 2>&1 \
      || fail "tor $NET $n" "$d/start.log" "$d/notice.log" -- "tor refused to start"
  done
  for n in "${TOR_NODES[@]}"; do
    d="$NET_DIR/$n"
    waited=0
    while [ ! -s "$d/pid" ]; do
      ((waited++ < 100)) || fail "tor $NET $n" "$d/notice.log" -- "no PidFile after 10 s"
      sleep 0.1
    done
    pid="$(tr -dc '0-9' <"$d/pid")"
    is_ours "$pid" "-f $d/torrc" || fail "tor $NET $n" "$d/notice.log" -- "PidFile $pid does not belong to 'tor -f $d/torrc'"
    record "$NET_REC-$n" "$pid" "-f $d/torrc"
  done
  NET_STARTED[$NET]=$SECONDS
}

# Stops the current network's tor processes only (for a restart), keeping every other record.
tor_stop_all() {
  [ -f "$PROCS" ] || return 0
  local keep mine
  keep="$(grep -v "^$NET_REC-" "$PROCS" || true)"
  mine="$(grep "^$NET_REC-" "$PROCS" || true)"
  printf '%s\n' "$mine" >"$PROCS"
  stop_recorded
  [ -n "$keep" ] && printf '%s\n' "$keep" >"$PROCS"
  return 0
}

# Fresh Tor state for a retry, keeping keys and the onion service keys (same onions, same certs).
tor_reset_state() {
  local n d
  for n in "${TOR_NODES[@]}"; do
    d="$NET_DIR/$n"
    find "$d" -mindepth 1 -maxdepth 1 ! -name keys ! -name hidden_service ! -name 'hs_*' ! -name torrc \
      ! -name fingerprint.out ! -name gencert.log -exec rm -rf {} +
  done
}

# The onion name of one of the current network's services (waits for tor to write it).
onion_of() { # service dir name
  local f="$NET_DIR/hs/$1/hostname" waited=0 name
  while [ ! -s "$f" ]; do
    ((waited++ < 300)) || fail "tor $NET hs" "$NET_DIR/hs/notice.log" -- "no $1/hostname after 30 s"
    sleep 0.1
  done
  name="$(tr -d '[:space:]' <"$f")"
  [[ "$name" =~ ^[a-z2-7]{56}\.onion$ ]] || fail "tor $NET hs" "$NET_DIR/hs/notice.log" -- "malformed onion '$name' in $1"
  echo "$name"
}

# HSFETCH of every onion still missing on the client's ControlPort; prints the onions whose
# descriptor arrived (`650 HS_DESC RECEIVED`) and "FAILED <event>" for the failures.
hs_fetch_many() { # onion...
  local cookie="$NET_DIR/client/control_auth_cookie" hex fd line until o cmds=""
  [ -s "$cookie" ] || return 0
  hex="$(od -An -v -tx1 "$cookie" | tr -d ' \n')"
  { exec {fd}<>"/dev/tcp/127.0.0.1/$(net_control_port client)"; } 2>/dev/null || return 0
  for o in "$@"; do cmds+="HSFETCH ${o%.onion}"$'\r\n'; done
  printf 'AUTHENTICATE %s\r\nSETEVENTS HS_DESC\r\n%s' "$hex" "$cmds" >&"$fd" 2>/dev/null || {
    exec {fd}>&-
    return 0
  }
  until=$((SECONDS + 3))
  while ((SECONDS < until)); do
    if IFS= read -r -t 1 line <&"$fd"; then
      line=${line%$'\r'}
      case $line in
        "650 HS_DESC RECEIVED "*) set -- $line; echo "$4.onion" ;;
        "650 HS_DESC FAILED"*) echo "FAILED $line" ;;
        5[0-9][0-9]*) echo "FAILED $line"; break ;;
      esac
    else
      (($? > 128)) || break # EOF rather than timeout
    fi
  done
  exec {fd}>&-
}

# One readiness step of the current network: 0 ready, 1 not yet, 2 failed (TOR_FAILURE says why).
# Ready only when the client has fetched every onion's descriptor (tor-testnet.md §4).
tor_check_ready() { # budget onion...
  local budget=$1; shift
  local n pid o pending=() got
  for n in "${TOR_NODES[@]}"; do
    pid="$(awk -v n="$NET_REC-$n" '$1==n{print $2}' "$PROCS")"
    is_ours "$pid" "-f $NET_DIR/$n/torrc" || {
      TOR_FAILURE="tor $NET $n exited"
      TOR_FAILURE_LOG="$NET_DIR/$n/notice.log"
      return 2
    }
  done
  for o in "$@"; do [ -n "${ONION_READY[$o]:-}" ] || pending+=("$o"); done
  if ((${#pending[@]})) && grep 'Bootstrapped 100%' "$NET_DIR/client/notice.log" >/dev/null 2>&1; then
    while read -r got; do
      case $got in
        "") ;;
        "FAILED "*) LAST_HS_DESC[$NET]="${got#FAILED }" ;;
        *) ONION_READY[$got]=1 ;;
      esac
    done < <(hs_fetch_many "${pending[@]}")
  fi
  pending=()
  for o in "$@"; do [ -n "${ONION_READY[$o]:-}" ] || pending+=("$o"); done
  ((${#pending[@]})) || return 0
  if ((SECONDS - NET_STARTED[$NET] >= budget)); then
    TOR_FAILURE="the $NET client could not fetch the descriptors of ${pending[*]} within $budget s (last: ${LAST_HS_DESC[$NET]:-no HS_DESC event yet})"
    TOR_FAILURE_LOG="$NET_DIR/client/notice.log"
    return 2
  fi
  return 1
}

# Waits for both networks at once; a network that fails is restarted once with fresh state.
tor_wait_networks() {
  local -A done=() retried=()
  local net rc budget onions o
  while :; do
    for net in main slow; do
      [ -z "${done[$net]:-}" ] || continue
      net_use "$net"
      if [ "$net" = main ]; then
        onions=("$ONION" "$EJABBERD_ONION" "$CLOSED_ONION" "$RENEW_ONION" "$SILENT_ONION")
        budget=$TOR_BUDGET
      else
        onions=("$SLOW_ONION" "$SLOW_EJABBERD_ONION")
        budget=$SLOW_TOR_BUDGET
      fi
      rc=0
      tor_check_ready "$budget" "${onions[@]}" || rc=$?
      case $rc in
        0) done[$net]=1; say "$net Tor network ready: onions reachable $((SECONDS - NET_STARTED[$net])) s after its start" ;;
        2)
          if [ -n "${retried[$net]:-}" ]; then
            fail "tor ($net network)" "$TOR_FAILURE_LOG" "$NET_DIR/hs/notice.log" -- "$TOR_FAILURE"
          fi
          retried[$net]=1
          say "$net Tor network not ready after $((SECONDS - NET_STARTED[$net])) s: $TOR_FAILURE; restarting it once with fresh state"
          printf -- '----- last 10 lines of %s -----\n' "$TOR_FAILURE_LOG" >&2
          tail -n 10 "$TOR_FAILURE_LOG" >&2 || true
          tor_stop_all
          tor_reset_state
          for o in "${onions[@]}"; do unset "ONION_READY[$o]"; done
          tor_start_all
          ;;
      esac
    done
    [ -n "${done[main]:-}" ] && [ -n "${done[slow]:-}" ] && return 0
    sleep 0.5
  done
}
