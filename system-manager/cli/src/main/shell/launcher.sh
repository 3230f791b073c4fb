#!/bin/sh
# ferry: the Ferry command line. This file is a shell launcher followed by a jar; it needs Java 17+.
# JAVA_HOME selects the JDK; FERRY_JAVA_OPTIONS adds JVM options.
if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
command -v "$java" >/dev/null 2>&1 || { echo "ferry: Java 17 or newer is needed (set JAVA_HOME or put java on the PATH)" >&2; exit 127; }
# shellcheck disable=SC2086
exec "$java" -XX:TieredStopAtLevel=1 -Xshare:auto $FERRY_JAVA_OPTIONS -jar "$0" "$@"
