#!/bin/sh
# Real peers over veth (issue 12): the library's file server and proxy against nginx (sendfile)
# and HAProxy (splice). Needs root; build first with
#   mvn -B -ntp -o -q -pl zerocopy-bench -am package -DskipTests
# Options after the script's name go to RealPeers, e.g.
#   scripts/real-peers.sh --size 512m --reps 5 --java /path/to/jdk17/bin/java,/path/to/jdk25/bin/java
set -eu
cd "$(dirname "$0")/.."
exec "${JAVA:-java}" -cp zerocopy-bench/target/zerocopy-bench.jar io.zerocopy.bench.timing.peers.RealPeers "$@"
