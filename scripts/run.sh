#!/usr/bin/env bash
# Builds Ferry and runs the system manager on the embedded default: an embedded PostgreSQL whose
# data lives in $FERRY_HOME/postgres (default ~/.ferry) and the local cloud in $FERRY_HOME/local-cloud.
# Prints the URL and how to sign in once the server is up; Ctrl-C stops it (the data stays).
#
# Environment: PORT (default 8080), FERRY_HOME (default ~/.ferry),
# FERRY_BOOTSTRAP_ADMIN_PASSWORD (first start only; otherwise a password is generated).
# Set SPRING_DATASOURCE_URL (and _USERNAME, _PASSWORD, FERRY_SECURITY_MASTER_KEY) to use an
# external PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${PORT:-8080}"
export FERRY_HOME="${FERRY_HOME:-$HOME/.ferry}"
jar=system-manager/server/target/ferry-server.jar

command -v java >/dev/null || { echo "Ferry needs a JDK 17 or newer on the PATH" >&2; exit 1; }

echo "==> building Ferry (./mvnw -B -q -DskipTests install)"
./mvnw -B -q -DskipTests install

mkdir -p "$FERRY_HOME"
log="$FERRY_HOME/server.log"
echo "==> starting the system manager on port $port (log: $log)"
java -jar "$jar" --server.port="$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; exit 0' INT TERM

url="http://localhost:$port"
for _ in $(seq 1 240); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The system manager did not start; the end of $log:" >&2
    tail -n 20 "$log" >&2
    wait "$server" || exit $?
    exit 1
  fi
  if curl -fsS "$url/actuator/health" >/dev/null 2>&1; then
    break
  fi
  sleep 1
done

echo
echo "Ferry is running at $url"
echo "  API:       $url/api/v1   (OpenAPI: $url/v3/api-docs, Swagger UI: $url/swagger-ui.html)"
echo "  health:    $url/actuator/health"
echo
echo "Sign in as user 'admin':"
if [ -f "$FERRY_HOME/initial-admin-password" ]; then
  echo "  password:  $(cat "$FERRY_HOME/initial-admin-password")   (generated at first start; also in $FERRY_HOME/initial-admin-password)"
elif [ -n "${FERRY_BOOTSTRAP_ADMIN_PASSWORD:-}" ]; then
  echo "  password:  the one in FERRY_BOOTSTRAP_ADMIN_PASSWORD"
else
  echo "  password:  the one set at first start"
fi
echo "  curl -c cookies -H 'Content-Type: application/json' \\"
echo "       -d '{\"username\":\"admin\",\"password\":\"...\"}' $url/api/v1/auth/login"
echo
echo "Press Ctrl-C to stop. The data stays in $FERRY_HOME."
wait "$server"
