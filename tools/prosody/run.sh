#!/bin/bash
# Start a throwaway loopback-only Prosody for dcx_crm tests / local dev.
#
#   tools/prosody/run.sh DIR [C2S_PORT] [HTTP_PORT]
#
# Writes DIR/prosody.cfg.lua (DIR/data is the data_path; remove DIR for a fresh run),
# starts prosody in the foreground, registers the users listed in $DCX_PROSODY_USERS
# ("user:password user2:password2", default "agent:agent-pass dcx:dcx-pass") on
# $DCX_PROSODY_DOMAIN (default dcx.test), prints "READY ws=... bosh=..." and waits.
# SIGTERM/SIGINT stop prosody. Websocket: ws://127.0.0.1:HTTP_PORT/xmpp-websocket,
# BOSH: http://127.0.0.1:HTTP_PORT/http-bind.
set -eu
DIR=${1:?usage: run.sh DIR [C2S_PORT] [HTTP_PORT]}
C2S_PORT=${2:-5292}
HTTP_PORT=${3:-5290}
DOMAIN=${DCX_PROSODY_DOMAIN:-dcx.test}
USERS=${DCX_PROSODY_USERS:-"agent:agent-pass dcx:dcx-pass"}
LOG_LEVEL=${DCX_PROSODY_LOG_LEVEL:-info}
HERE=$(cd "$(dirname "$0")" && pwd)

command -v prosody >/dev/null 2>&1 || { echo "prosody is not installed (apt-get install prosody)" >&2; exit 3; }
mkdir -p "$DIR/data"
DIR=$(cd "$DIR" && pwd)
sed -e "s#@DIR@#$DIR#g" -e "s#@C2S_PORT@#$C2S_PORT#g" -e "s#@HTTP_PORT@#$HTTP_PORT#g" \
    -e "s#@DOMAIN@#$DOMAIN#g" -e "s#@LOG_LEVEL@#$LOG_LEVEL#g" \
    "$HERE/prosody.cfg.lua.in" > "$DIR/prosody.cfg.lua"
CFG="$DIR/prosody.cfg.lua"

prosody --config "$CFG" -F >>"$DIR/prosody.stdout" 2>&1 &
PID=$!
echo "$PID" > "$DIR/prosody.pid.sh"
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; exit 0' TERM INT HUP

# wait (max ~10 s) for the HTTP port
i=0
until (echo > "/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null; do
    i=$((i+1))
    if [ $i -gt 100 ] || ! kill -0 "$PID" 2>/dev/null; then
        echo "prosody did not start; see $DIR/prosody.log" >&2
        cat "$DIR/prosody.stdout" >&2 || true
        kill "$PID" 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done

for u in $USERS; do
    name=${u%%:*}
    pass=${u#*:}
    prosodyctl --config "$CFG" register "$name" "$DOMAIN" "$pass" >/dev/null 2>&1 || \
        prosodyctl --config "$CFG" passwd "$name@$DOMAIN" >/dev/null 2>&1 <<PW || true
$pass
$pass
PW
done

echo "READY pid=$PID ws=ws://127.0.0.1:$HTTP_PORT/xmpp-websocket bosh=http://127.0.0.1:$HTTP_PORT/http-bind domain=$DOMAIN"
wait "$PID"
