# testbed/world: certificates, Prosody instances and ejabberd (sourced by testbed/world).
# Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.

# ---------------------------------------------------------------------------------------------
# Certificates
#
# - world.crt: onionboard.test's one self-signed certificate (SAN: the onion, onionboard.test,
#   conference.onionboard.test, captcha.test), as before; CERT_SHA256 pins it.
# - closed.test: one self-signed certificate naming its onion and closed.test.
# - a local test CA (ca.crt) issues, for captcha.test and renew.test each, two leaves as a real
#   provider has them: the "domain" leaf (SAN: the domain and its MUC) served when SNI = the
#   domain, and a different "default" leaf (SAN: the domain only, never the onion) served for
#   any other SNI (the onion, which libpurple sends) and for no SNI.

issue_certificate() {
  mkdir -p "$CERT_DIR"
  CERT_PEM="$CERT_DIR/world.crt"
  CERT_KEY="$CERT_DIR/world.key"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$ONION" \
    -addext "subjectAltName=DNS:$ONION,DNS:$XMPP_DOMAIN,DNS:$MUC_DOMAIN,DNS:$EJABBERD_DOMAIN" \
    -keyout "$CERT_KEY" -out "$CERT_PEM" >"$CERT_DIR/openssl.log" 2>&1 \
    || fail "openssl" "$CERT_DIR/openssl.log" -- "could not issue the certificate"
  CERT_SHA256="$(cert_sha256 "$CERT_PEM")"
}

cert_sha256() { openssl x509 -in "$1" -outform DER | sha256sum | awk '{print $1}'; }

issue_closed_certificate() {
  local d="$CERT_DIR/$CLOSED_DOMAIN"
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$CLOSED_ONION" \
    -addext "subjectAltName=DNS:$CLOSED_ONION,DNS:$CLOSED_DOMAIN" \
    -keyout "$d/cert.key" -out "$d/cert.crt" >"$d/openssl.log" 2>&1 \
    || fail "openssl ($CLOSED_DOMAIN)" "$d/openssl.log" -- "could not issue the certificate"
  CLOSED_CERT_SHA256="$(cert_sha256 "$d/cert.crt")"
}

issue_test_ca() {
  mkdir -p "$CERT_DIR"
  TEST_CA_PEM="$CERT_DIR/ca.crt"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj "/O=onionboard testbed/CN=onionboard test CA $BASE" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$CERT_DIR/ca.key" -out "$TEST_CA_PEM" >"$CERT_DIR/ca.log" 2>&1 \
    || fail "openssl (test CA)" "$CERT_DIR/ca.log" -- "could not create the test CA"
}

# One leaf: CA-issued (default) or self-signed. Writes <out>.key, <out>.crt, <out>.pem (key + cert).
issue_leaf() { # out subject-after-CN= san [--self-signed]
  local out=$1 cn=$2 san=$3 self=${4:-} ext
  ext="$(mktemp)"
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$san" >"$ext"
  if [ "$self" = --self-signed ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 60 -subj "/CN=$cn" \
      -addext "subjectAltName=$san" -keyout "$out.key.new" -out "$out.crt.new" >"$out.log" 2>&1 || { rm -f "$ext"; return 1; }
  else
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
      -keyout "$out.key.new" -out "$out.csr" >"$out.log" 2>&1 || { rm -f "$ext"; return 1; }
    openssl x509 -req -in "$out.csr" -CA "$CERT_DIR/ca.crt" -CAkey "$CERT_DIR/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days 60 -extfile "$ext" -out "$out.crt.new" >>"$out.log" 2>&1 || { rm -f "$ext"; return 1; }
    rm -f "$out.csr"
  fi
  rm -f "$ext"
  cat "$out.key.new" "$out.crt.new" >"$out.pem.new"
  mv "$out.key.new" "$out.key"
  mv "$out.crt.new" "$out.crt"
  mv "$out.pem.new" "$out.pem"
}

# The two leaves of a per-SNI provider into $CERT_DIR/<domain>/{domain,default}.{key,crt,pem}.
issue_sni_leaves() { # domain [--self-signed]
  local domain=$1 d="$CERT_DIR/$1"
  mkdir -p "$d"
  issue_leaf "$d/domain" "$domain" "DNS:$domain,DNS:conference.$domain" "${2:-}" \
    || fail "openssl ($domain)" "$d/domain.log" -- "could not issue the domain leaf"
  issue_leaf "$d/default" "$domain/O=default certificate" "DNS:$domain" "${2:-}" \
    || fail "openssl ($domain)" "$d/default.log" -- "could not issue the default leaf"
}

# A valid v3 onion address from a real ed25519 key whose descriptor is never published.
make_dead_onion() {
  local d="$WORLD_DIR/dead-onion"
  mkdir -p "$d"
  openssl genpkey -algorithm ed25519 -out "$d/key.pem" 2>"$d/openssl.log" \
    || fail "openssl (dead onion)" "$d/openssl.log" -- "could not make an ed25519 key"
  DEAD_ONION="$(openssl pkey -in "$d/key.pem" -pubout -outform DER 2>>"$d/openssl.log" | /usr/bin/python3 -c '
import base64, hashlib, sys
pub = sys.stdin.buffer.read()[-32:]
check = hashlib.sha3_256(b".onion checksum" + pub + b"\x03").digest()[:2]
print(base64.b32encode(pub + check + b"\x03").decode().lower() + ".onion")')"
  [[ "$DEAD_ONION" =~ ^[a-z2-7]{55}d\.onion$ ]] || fail "dead onion" "$d/openssl.log" -- "malformed '$DEAD_ONION'"
  echo "$DEAD_ONION" >"$d/hostname"
}

# ---------------------------------------------------------------------------------------------
# Prosody

# The rooms must exist before anyone joins, so a plain join gets 110 and never 201.
write_room_module() {
  mkdir -p "$XMPP_ROOT/plugins"
  cp "$REPO/testbed/servers/mod_world_sni.lua" "$XMPP_ROOT/plugins/"
  cat >"$XMPP_ROOT/plugins/mod_world_room.lua" <<'EOF'
-- Creates the configured rooms as persistent, public and unlocked when the MUC host starts;
-- the rooms in world_members_only_rooms are members-only as well.
local muc = module:depends("muc");
local rooms = module:get_option_array("world_rooms", {});
local members_only = module:get_option_set("world_members_only_rooms", {});

local function ensure_rooms()
	for _, room_jid in ipairs(rooms) do
		if not muc.get_room_from_jid(room_jid) then
			local room = assert(muc.create_room(room_jid));
			room:set_persistent(true);
			room:set_public(true);
			room:set_name(members_only:contains(room_jid) and "Members" or "Support");
			if members_only:contains(room_jid) then room:set_members_only(true); end
			room:save(true);
			module:log("info", "Created room %s", room_jid);
		end
	end
end

if prosody.start_time then ensure_rooms(); else module:hook_global("server-started", ensure_rooms); end
EOF
}

write_prosody_config() { # instance
  local name=$1 d="$XMPP_ROOT/$1"
  mkdir -p "$d/data"
  local extra_global="" extra_modules="" domain="$XMPP_DOMAIN" cert="$CERT_PEM" key="$CERT_KEY" registration=true
  case $name in
    sha256) extra_global='password_hash = "SHA-256"' ;;
    throttle) extra_global=$'registration_allowlist = {}\nmin_seconds_between_registrations = 60' ;;
    invite)
      extra_global='password_hash = "SHA-256"'
      extra_modules='"invites"; "invites_register"; "invites_adhoc";'
      ;;
    closed)
      domain=$CLOSED_DOMAIN registration=false
      cert="$CERT_DIR/$CLOSED_DOMAIN/cert.crt" key="$CERT_DIR/$CLOSED_DOMAIN/cert.key"
      ;;
    renew)
      domain=$RENEW_DOMAIN
      cert="$CERT_DIR/$RENEW_DOMAIN/default.crt" key="$CERT_DIR/$RENEW_DOMAIN/default.key"
      extra_modules='"world_sni";'
      ;;
  esac
  cat >"$d/prosody.cfg.lua" <<EOF
-- Generated by testbed/world for the "$name" instance. Throw-away test server.
pidfile = "$d/prosody.pid"
data_path = "$d/data"
plugin_paths = { "$XMPP_ROOT/plugins" }
log = { { levels = { min = "debug" }, to = "console" } }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${C2S_PORT[$name]} }
c2s_direct_tls_ports = { ${TLS_PORT[$name]} }
http_ports = {}
https_ports = {}
s2s_ports = {}
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix";
  "register"; "private"; "pep"; "bookmarks"; $extra_modules }
modules_disabled = { "s2s" }
allow_registration = $registration
c2s_require_encryption = true
authentication = "internal_hashed"
$extra_global
certificates = "$CERT_DIR"
ssl = { certificate = "$cert", key = "$key" }

VirtualHost "$domain"
  ssl = { certificate = "$cert", key = "$key" }
EOF
  if [ "$name" = renew ]; then
    cat >>"$d/prosody.cfg.lua" <<EOF
  world_sni_domain_certificate = "$CERT_DIR/$RENEW_DOMAIN/domain.crt"
  world_sni_domain_key = "$CERT_DIR/$RENEW_DOMAIN/domain.key"
  world_sni_default_certificate = "$cert"
  world_sni_default_key = "$key"
  world_sni_default_names = { "$RENEW_ONION" }
EOF
  fi
  if [ "$name" = default ]; then
    cat >>"$d/prosody.cfg.lua" <<EOF

Component "$MUC_DOMAIN" "muc"
  ssl = { certificate = "$CERT_PEM", key = "$CERT_KEY" }
  modules_enabled = { "world_room" }
  world_rooms = { "$ROOM_JID", "$ROOM_MEMBERS_ONLY_JID" }
  world_members_only_rooms = { "$ROOM_MEMBERS_ONLY_JID" }
  muc_room_default_public = true
  muc_room_default_persistent = true
EOF
  fi
}

prosody_ports_ready() { # instance
  local log="$LOG_DIR/prosody-$1.log"
  if grep 'Failed to open server port' "$log" >/dev/null 2>&1; then
    fail "prosody $1" "$log" -- "$(grep -m1 'Failed to open server port' "$log" | sed 's/.*error[[:space:]]*//')"
  fi
  grep -F "Activated service 'c2s' on [127.0.0.1]:${C2S_PORT[$1]}" "$log" >/dev/null 2>&1 \
    && grep -F "Activated service 'c2s_direct_tls' on [127.0.0.1]:${TLS_PORT[$1]}" "$log" >/dev/null 2>&1 \
    && port_open "${C2S_PORT[$1]}" && port_open "${TLS_PORT[$1]}"
}

prosody_start_all() {
  local name d cfg pid
  write_room_module
  mkdir -p "$LOG_DIR"
  for name in "${PROSODY_INSTANCES[@]}"; do write_prosody_config "$name"; done
  chown -R prosody:prosody "$XMPP_ROOT" "$LOG_DIR"
  chgrp -R prosody "$CERT_DIR"
  find "$CERT_DIR" -name '*.key' -exec chmod 640 {} +
  find "$CERT_DIR" -type d -exec chmod 755 {} +
  chmod 644 "$CERT_PEM"
  for name in "${PROSODY_INSTANCES[@]}"; do
    d="$XMPP_ROOT/$name"
    cfg="$d/prosody.cfg.lua"
    # setsid: own session (no terminal signals); setpriv execs, so $! is prosody's own PID.
    setsid setpriv --reuid=prosody --regid=prosody --init-groups \
      prosody --config "$cfg" -F </dev/null >"$LOG_DIR/prosody-$name.log" 2>&1 &
    pid=$!
    record "prosody-$name" "$pid" "--config $cfg"
  done
}

prosody_wait_ready() {
  local name cfg pid start=$SECONDS room
  for name in "${PROSODY_INSTANCES[@]}"; do
    cfg="$XMPP_ROOT/$name/prosody.cfg.lua"
    pid="$(awk -v n="prosody-$name" '$1==n{print $2}' "$PROCS")"
    # Prosody keeps running when a port is taken, and the port then answers for someone else.
    until prosody_ports_ready "$name"; do
      is_ours "$pid" "--config $cfg" || fail "prosody $name" "$LOG_DIR/prosody-$name.log" -- "exited during start-up"
      ((SECONDS - start < PROSODY_BUDGET)) \
        || fail "prosody $name" "$LOG_DIR/prosody-$name.log" -- "ports ${C2S_PORT[$name]}/${TLS_PORT[$name]} not open after ${PROSODY_BUDGET} s"
      sleep 0.1
    done
  done
  # mod_world_room creates the rooms at "server-started", which may come after the ports open.
  for room in "$ROOM_JID" "$ROOM_MEMBERS_ONLY_JID"; do
    until grep "Created room $room" "$LOG_DIR/prosody-default.log" >/dev/null; do
      ((SECONDS - start < PROSODY_BUDGET)) \
        || fail "prosody default" "$LOG_DIR/prosody-default.log" -- "room $room was not created"
      sleep 0.1
    done
  done
  until grep "world_sni: applied to 2 listeners" "$LOG_DIR/prosody-renew.log" >/dev/null; do
    ((SECONDS - start < PROSODY_BUDGET)) \
      || fail "prosody renew" "$LOG_DIR/prosody-renew.log" -- "mod_world_sni did not set up the SNI certificates"
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# ejabberd: a private instance (own config dir, spool, node name, cookie, fixed dist port so
# no epmd) whose registration asks for a CAPTCHA drawn by testbed/captcha-image. Its negotiation
# timeout is ejabberd's default (30 s: a client that has not authenticated by then is closed).

ejabberd_install_certs() {
  local d="$EJABBERD_ROOT/etc/certs" src="$CERT_DIR/$EJABBERD_DOMAIN"
  mkdir -p "$d"
  cp "$src/default.pem" "$d/default.pem.new" && mv "$d/default.pem.new" "$d/default.pem"
  cp "$src/domain.pem" "$d/domain.pem.new" && mv "$d/domain.pem.new" "$d/domain.pem"
  chown -R ejabberd:ejabberd "$d"
  chmod 600 "$d"/*.pem
}

ejabberd_ctl() {
  local d="$EJABBERD_ROOT"
  ejabberdctl --config-dir "$d/etc" --logs "$d/log" --spool "$d/db" --node "$EJABBERD_NODE" "$@"
}

ejabberd_start() {
  local d="$EJABBERD_ROOT"
  mkdir -p "$d/etc" "$d/db" "$d/log" "$d/run" "$d/answers" "$d/contrib" "$d/etc/modules.d" "$d/ebin"
  : >"$d/etc/inetrc"
  ejabberd_install_certs
  erlc -pa "$(dirname "$(find /usr/lib -name ejabberd_c2s.beam -path '*ejabberd*' | head -n 1)")" \
    -o "$d/ebin" "$REPO/testbed/servers/mod_world_sni.erl" >"$LOG_DIR/erlc.log" 2>&1 \
    || fail "ejabberd (erlc mod_world_sni)" "$LOG_DIR/erlc.log" -- "could not compile the SNI module"
  cp "$REPO/testbed/captcha-image" "$d/etc/captcha-image"
  cat >"$d/etc/captcha.sh" <<EOF
#!/bin/sh
exec /usr/bin/python3 $d/etc/captcha-image $d/answers "\$1"
EOF
  chmod 755 "$d/etc/captcha.sh" "$d/etc/captcha-image"
  cat >"$d/etc/ejabberd.yml" <<EOF
# Generated by testbed/world. Throw-away test server. negotiation_timeout is left at its
# default (30 s), as on the providers in the field.
hosts:
  - $EJABBERD_DOMAIN
loglevel: info
certfiles:
  - "$d/etc/certs/default.pem"
default_db: mnesia
auth_method: internal
s2s_access: none
registration_timeout: infinity
captcha_cmd: "$d/etc/captcha.sh"
captcha_url: "http://127.0.0.1:$EJABBERD_HTTP_PORT/captcha"
captcha_limit: infinity
listen:
  -
    port: $EJABBERD_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    max_stanza_size: 262144
  -
    port: $EJABBERD_TLS_PORT
    ip: "127.0.0.1"
    module: ejabberd_c2s
    tls: true
    max_stanza_size: 262144
  -
    port: $EJABBERD_HTTP_PORT
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /captcha: ejabberd_captcha
acl:
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  register:
    allow: all
  trusted_network:
    allow: loopback
shaper:
  normal:
    rate: 1000000
    burst_size: 2000000
shaper_rules:
  c2s_shaper: normal
modules:
  mod_disco: {}
  mod_caps: {}
  mod_ping: {}
  mod_private: {}
  mod_roster: {}
  mod_pubsub:
    plugins:
      - flat
      - pep
  mod_muc:
    host: $EJABBERD_MUC_DOMAIN
    access_create: all
    default_room_options:
      persistent: true
      public: true
  mod_muc_admin: {}
  mod_register:
    captcha_protected: true
    ip_access: trusted_network
    access: register
  mod_world_sni:
    domain: $EJABBERD_DOMAIN
    certfile: "$d/etc/certs/domain.pem"
EOF
  cat >"$d/etc/ejabberdctl.cfg" <<EOF
ERLANG_NODE=$EJABBERD_NODE
ERL_DIST_PORT=$EJABBERD_DIST_PORT
INET_DIST_INTERFACE=127.0.0.1
ERL_EPMD_ADDRESS=127.0.0.1
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie world_$BASE -pa $d/ebin"
EJABBERD_CONFIG_PATH=$d/etc/ejabberd.yml
EJABBERD_PID_PATH=$d/run/ejabberd.pid
CONTRIB_MODULES_PATH=$d/contrib
CONTRIB_MODULES_CONF_DIR=$d/etc/modules.d
EJABBERD_BYPASS_WARNINGS=true
EOF
  chown -R ejabberd:ejabberd "$d"
  EJABBERD_T0=$(now_ms)
  ejabberd_ctl start >"$LOG_DIR/ejabberdctl.log" 2>&1 || fail "ejabberd" "$LOG_DIR/ejabberdctl.log" -- "ejabberdctl start failed"
}

ejabberd_wait_ready() {
  local d="$EJABBERD_ROOT" pid="" deadline=$((SECONDS + EJABBERD_BUDGET))
  while ((SECONDS < deadline)); do
    if [ -z "$pid" ] && [ -s "$d/run/ejabberd.pid" ]; then
      pid="$(cat "$d/run/ejabberd.pid")"
      record ejabberd "$pid" "$EJABBERD_NODE"
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      fail "ejabberd" "$d/log/ejabberd.log" "$d/log/error.log" -- "ejabberd exited while starting"
    fi
    if [ -n "$pid" ] && port_open "$EJABBERD_PORT" && port_open "$EJABBERD_TLS_PORT"; then
      say "ejabberd ready $(($(now_ms) - EJABBERD_T0)) ms after start (pid $pid, $(awk '/^VmRSS:/{print int($2/1024)}' "/proc/$pid/status") MB RSS)"
      return 0
    fi
    sleep 0.2
  done
  fail "ejabberd" "$d/log/ejabberd.log" "$d/log/error.log" -- "ejabberd did not open ports $EJABBERD_PORT/$EJABBERD_TLS_PORT within $EJABBERD_BUDGET s"
}

ejabberd_create_room() {
  ejabberd_ctl create_room "${EJABBERD_ROOM_JID%@*}" "$EJABBERD_MUC_DOMAIN" "$EJABBERD_DOMAIN" >"$LOG_DIR/ejabberd-room.log" 2>&1 \
    || fail "ejabberd" "$LOG_DIR/ejabberd-room.log" "$EJABBERD_ROOT/log/ejabberd.log" -- "could not create the room $EJABBERD_ROOM_JID"
}

# ---------------------------------------------------------------------------------------------
# Which leaf a server shows for an SNI (loopback, STARTTLS or direct TLS); "none" = no SNI.

served_sha256() { # port starttls-domain|"" sni|none
  local port=$1 starttls=$2 sni=$3 args=()
  [ -n "$starttls" ] && args+=(-starttls xmpp -xmpphost "$starttls")
  if [ "$sni" = none ]; then args+=(-noservername); else args+=(-servername "$sni"); fi
  timeout 10 openssl s_client -connect "127.0.0.1:$port" "${args[@]}" </dev/null 2>/dev/null \
    | openssl x509 -outform DER 2>/dev/null | sha256sum | awk '{print $1}'
}

# Checks that the server at port shows the domain leaf for SNI = domain and the default leaf for
# SNI = each onion and for no SNI, on STARTTLS and on direct TLS; retries for up to 15 s.
check_sni_certificates() { # domain starttls-port tls-port onion...
  local domain=$1 plain=$2 tls=$3; shift 3
  local want_domain want_default deadline=$((SECONDS + 15)) bad name got
  want_domain="$(cert_sha256 "$CERT_DIR/$domain/domain.crt")"
  want_default="$(cert_sha256 "$CERT_DIR/$domain/default.crt")"
  while :; do
    bad=""
    got="$(served_sha256 "$plain" "$domain" "$domain")"; [ "$got" = "$want_domain" ] || bad+=" STARTTLS/SNI=$domain"
    got="$(served_sha256 "$tls" "" "$domain")"; [ "$got" = "$want_domain" ] || bad+=" TLS/SNI=$domain"
    got="$(served_sha256 "$plain" "$domain" none)"; [ "$got" = "$want_default" ] || bad+=" STARTTLS/no-SNI"
    got="$(served_sha256 "$tls" "" none)"; [ "$got" = "$want_default" ] || bad+=" TLS/no-SNI"
    for name in "$@"; do
      got="$(served_sha256 "$plain" "$domain" "$name")"; [ "$got" = "$want_default" ] || bad+=" STARTTLS/SNI=$name"
      got="$(served_sha256 "$tls" "" "$name")"; [ "$got" = "$want_default" ] || bad+=" TLS/SNI=$name"
    done
    [ -z "$bad" ] && return 0
    ((SECONDS < deadline)) || { SNI_FAILURE="$domain shows the wrong leaf for:$bad"; return 1; }
    sleep 1
  done
}

# The same leaves seen the way a client sees them: through Tor to the onion (STARTTLS, SNI = the
# domain and SNI = the onion). Loopback alone once passed while a connection through the onion,
# on a loaded machine, still met the previous leaf; retries for up to 30 s.
check_onion_certificates() { # domain onion
  local domain=$1 onion=$2 deadline=$((SECONDS + 30)) bad got want_domain want_default
  want_domain="$(cert_sha256 "$CERT_DIR/$domain/domain.crt")"
  want_default="$(cert_sha256 "$CERT_DIR/$domain/default.crt")"
  while :; do
    bad=""
    got="$(onion_served_sha256 "$onion" "$domain" "$domain")"; [ "$got" = "$want_domain" ] || bad+=" onion/SNI=$domain"
    got="$(onion_served_sha256 "$onion" "$domain" "$onion")"; [ "$got" = "$want_default" ] || bad+=" onion/SNI=$onion"
    [ -z "$bad" ] && return 0
    ((SECONDS < deadline)) || { SNI_FAILURE="$domain shows the wrong leaf through Tor for:$bad"; return 1; }
    sleep 1
  done
}

onion_served_sha256() { # onion starttls-domain sni
  timeout 30 /usr/bin/python3 "$REPO/testbed/world-probe" cert --socks "127.0.0.1:$SOCKS_PORT" --onion "$1" --port 5222 \
    --starttls "$2" --sni "$3" </dev/null 2>/dev/null | openssl x509 -outform DER 2>/dev/null | sha256sum | awk '{print $1}'
}

# `testbed/world renew-cert DOMAIN [--self-signed]`: new leaves (same CA, new keys, or
# self-signed), the server made to use them, and checked.
cmd_renew_cert() {
  local domain=${1:-} self=${2:-}
  [ -f "$ENV_FILE" ] || { say "no world at $WORLD_DIR (run: testbed/world up)"; exit 1; }
  case "$domain" in
    "$RENEW_DOMAIN" | "$EJABBERD_DOMAIN") ;;
    *) say "renew-cert: DOMAIN must be $RENEW_DOMAIN or $EJABBERD_DOMAIN"; exit 2 ;;
  esac
  [ -z "$self" ] || [ "$self" = --self-signed ] || { say "renew-cert: unknown option $self"; exit 2; }
  env_load
  local old_domain
  old_domain="$(cert_sha256 "$CERT_DIR/$domain/domain.crt")"
  issue_sni_leaves "$domain" "$self"
  chgrp prosody "$CERT_DIR/$domain"/*
  chmod 640 "$CERT_DIR/$domain"/*.key
  if [ "$domain" = "$RENEW_DOMAIN" ]; then
    local pid
    pid="$(awk '$1=="prosody-renew"{print $2}' "$PROCS")"
    is_ours "$pid" "--config $XMPP_ROOT/renew/prosody.cfg.lua" || { say "renew-cert: prosody-renew is not running"; exit 1; }
    kill -HUP "$pid"
    check_sni_certificates "$domain" "${C2S_PORT[renew]}" "${TLS_PORT[renew]}" "$RENEW_ONION" \
      || { say "renew-cert: FAILED: $SNI_FAILURE"; exit 1; }
    check_onion_certificates "$domain" "$RENEW_ONION" || { say "renew-cert: FAILED: $SNI_FAILURE"; exit 1; }
  else
    ejabberd_install_certs
    ejabberd_ctl reload_config >"$LOG_DIR/ejabberd-reload.log" 2>&1 \
      || { say "renew-cert: ejabberdctl reload_config failed"; cat "$LOG_DIR/ejabberd-reload.log" >&2; exit 1; }
    check_sni_certificates "$domain" "$EJABBERD_PORT" "$EJABBERD_TLS_PORT" "$EJABBERD_ONION" "$SLOW_EJABBERD_ONION" \
      || { say "renew-cert: FAILED: $SNI_FAILURE"; exit 1; }
    env_set EJABBERD_CERT_SHA256 "$(cert_sha256 "$CERT_DIR/$domain/domain.crt")"
    env_set EJABBERD_DEFAULT_CERT_SHA256 "$(cert_sha256 "$CERT_DIR/$domain/default.crt")"
  fi
  say "renewed $domain: domain leaf ${old_domain:0:16}… -> $(cert_sha256 "$CERT_DIR/$domain/domain.crt" | cut -c1-16)…" \
    "(${self:-issued by the test CA}); the server shows the new leaves"
}
