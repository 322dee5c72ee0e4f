#!/bin/bash
# One 10,000-stream SSE saturation run of the after build with a JFR recording (allocation samples) and
# class histograms of the server taken during the measured window.
cd /work/wt/bench2
( SERVERS=wirehub TRANSPORTS=sse TIERS=10000 RATES=0 CASES= WINDOW=10 WIREHUB_JAR=/work/wt/bench2/target/wirehub.jar \
   RESULTS_DIR=/tmp/jfrrun perf/fanout.sh > /tmp/jfrrun.log 2>&1 ) &
# wait for the measured phase: the "published" line appears after the window; start JFR when 10,000 are connected
for i in $(seq 1 240); do grep -q "connected  *10000 of 10000" /tmp/jfrrun.log 2>/dev/null && break; sleep 1; done
pid=$(pgrep -f "wirehub.jar --config" | head -1)
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin
sleep 4
$J/jcmd $pid JFR.start name=alloc settings=profile duration=12s filename=/tmp/alloc.jfr > /tmp/jfr-start.txt 2>&1
sleep 6
$J/jcmd $pid GC.heap_info > /tmp/heapinfo.txt 2>&1
$J/jcmd $pid GC.class_histogram -all > /tmp/histo-all.txt 2>&1
sleep 8
wait
echo done > /tmp/jfr.done
