#!/usr/bin/env bash
# The e2e project N times in a row with two CPU hogs running (issue 11: tests must not depend on a quiet machine).
# Usage: tools/loaded-e2e.sh <checkout> [N=5]; results in /tmp/loaded-e2e.<i>.{log,json}.
set -u
cd "$1"
n=${2:-5}
for i in $(seq 1 "$n"); do
  node -e 'for(;;){}' & h1=$!
  node -e 'for(;;){}' & h2=$!
  start=$(date +%s)
  npm test -- --ci --selectProjects e2e --json --outputFile="/tmp/loaded-e2e.$i.json" > "/tmp/loaded-e2e.$i.log" 2>&1
  rc=$?
  kill $h1 $h2 2>/dev/null
  node -e 'const r=require(process.argv[1]);console.log(`run '"$i"': rc='"$rc"' ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numTotalTestSuites} files, '"$(( $(date +%s) - start ))"' s`)' "/tmp/loaded-e2e.$i.json"
done
