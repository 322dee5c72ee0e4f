# wirehub's front door: CI runs these same targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Find a JDK 21+ (virtual threads): JAVA_HOME first, else the newest one in the system's JVM
# directory. Debian's default JDK 17 cannot run the server.
JVM_DIR ?= /usr/lib/jvm
JDK := $(shell for j in "$$JAVA_HOME" $$(ls -d $(JVM_DIR)/*/ 2>/dev/null | sort -rV); do \
	j=$${j%/}; [ -n "$$j" ] && [ -x "$$j/bin/javac" ] || continue; \
	v=$$("$$j/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'); \
	[ "$${v%%.*}" -ge 21 ] 2>/dev/null && { echo "$$j"; break; }; done)
ifeq ($(JDK),)
$(error wirehub needs a JDK 21 or newer and found none (looked at JAVA_HOME='$(JAVA_HOME)' and $(JVM_DIR)/*). Install one, e.g. 'apt-get install openjdk-21-jdk-headless', or point JAVA_HOME at it)
endif
export JAVA_HOME := $(JDK)
export PATH := $(JDK)/bin:$(PATH)

# Maven builds wirehub. Expanded only by the recipes that run it, so help, jdk, server-jvm-flags and
# dev-obs-down work without it, and the others stop at once with what to install.
MVN = $(if $(shell command -v mvn),mvn -B -ntp,$(error wirehub is built with Maven and found no 'mvn' on PATH. \
	Install Maven 3.8 or newer (Debian/Ubuntu: apt-get install maven; macOS: brew install maven; \
	elsewhere https://maven.apache.org/download.cgi) or put its bin/ directory on PATH, then run make again))
CONFIG ?= config/application.yaml

# The server's JVM flags (docs/deployment.md#jvm-flags) live in one place, the launcher
# src/dist/bin/wirehub, which `make run`, the distribution, the image and the systemd unit use;
# `make -s server-jvm-flags` prints them for the JDK above, and the perf/ drivers start the server with them.
LAUNCHER := src/dist/bin/wirehub
SERVER_JVM_FLAGS ?= $(shell JAVA_HOME=$(JDK) WIREHUB_PRINT_JVM_FLAGS=1 $(LAUNCHER))
# The ahead-of-time cache `make aot` trains; used when it is newer than the jar (never required).
AOT_CACHE := target/wirehub.aot

# The distribution: bin/wirehub, lib/ (the jar and its libraries), config/ and a README.
VERSION := $(shell sed -n 's:^    <version>\(.*\)</version>$$:\1:p' pom.xml | head -1)
# Unpacked in target/wirehub/ (the image copies it from there), packed as wirehub-<version>/.
DIST_DIR := target/wirehub
DIST := target/wirehub-$(VERSION).tar.gz

# The container image (Containerfile, image/): podman, with the runtime and settings image/podman.sh picks.
IMAGE ?= localhost/wirehub:$(VERSION)

.PHONY: help build dist dist-dir image image-test run aot test unit bench perf-fanout perf-compare perf-buffer perf-multi perf-jmh perf-store clean jdk server-jvm-flags dev-obs dev-obs-down dev-obs-check

help:
	@echo "make run    build and start wirehub on the embedded default ($(CONFIG)), 127.0.0.1:8080 (WH_PORT=... for another port)"
	@echo "make test   build and run every test (unit, integration, leak) and the build's checks"
	@echo "make unit   compile and run the unit tests only (*Test: no sockets, seconds)"
	@echo "make build  build target/wirehub.jar without running tests"
	@echo "make dist   the distribution $(DIST): bin/wirehub (the launcher), the jar and its libraries, config/"
	@echo "make image  the container image $(IMAGE) (podman; Containerfile, docs/deployment.md#running-it)"
	@echo "make image-test  build the image, then publish and subscribe through a container and stop it (drain, exit 0)"
	@echo "make aot    train the JVM's ahead-of-time cache (faster first seconds); make run uses it"
	@echo "make bench  run the benchmarks in perf/ at small sizes (prints figures)"
	@echo "make perf-fanout   fan-out capacity: 10 to 19,000 subscribers, SSE and WebSocket (perf/fanout.sh)"
	@echo "make perf-compare  wirehub side by side with nchan, ~15 min (perf/compare.sh; WIREHUB_JAR=... for another build)"
	@echo "make perf-jmh      in-process pipeline and frame encoding (JMH, about 4 min; JMH_ARGS to change)"
	@echo "make perf-store    publish into PostgreSQL and replay from 1M events, over HTTP (5-8 min)"
	@echo "make perf-buffer   buffer sizing: SSE/WS x buffer 4..256 x steady/bursty, 1,000 subscribers, ~45 min (perf/buffer.sh)"
	@echo "make perf-multi    two instances through Redis against one, PostgreSQL + Redis, ~15 min (perf/multi.sh)"
	@echo "make dev-obs       two instances on PostgreSQL + Redis, Prometheus, a demo load; prints the URLs"
	@echo "make dev-obs-down  stop exactly what dev-obs started, drop its schema (DEV_OBS_SCHEMA, default wirehub_dev)"
	@echo "using JDK: $(JDK)"

jdk:
	@echo "$(JDK)"

server-jvm-flags:
	@echo "$(SERVER_JVM_FLAGS)"

build:
	$(MVN) -DskipTests package

# The unpacked distribution; `make run` starts wirehub through its launcher, as operators do.
dist-dir: build
	rm -rf $(DIST_DIR)
	mkdir -p $(DIST_DIR)/lib
	cp -R src/dist/. $(DIST_DIR)/
	cp -p target/wirehub.jar $(DIST_DIR)/lib/
	# Exactly the libraries the jar's manifest names: target/libs/ keeps those of earlier builds too.
	mkdir -p $(DIST_DIR)/lib/libs target/manifest
	cd target/manifest && "$(JDK)/bin/jar" xf ../wirehub.jar META-INF/MANIFEST.MF
	for lib in $$(tr -d '\r' <target/manifest/META-INF/MANIFEST.MF | sed -e ':a' -e 'N' -e '$$!ba' -e 's/\n //g' \
			| sed -n 's/^Class-Path: //p'); do cp -p target/$$lib $(DIST_DIR)/lib/libs/ || exit 1; done
	cp -R config $(DIST_DIR)/config
	mkdir -p $(DIST_DIR)/docs && cp docs/*.md $(DIST_DIR)/docs/
	rm -f $(DIST_DIR)/config/prometheus.yml # make dev-obs's scrape of 127.0.0.1

dist: dist-dir
	tar -C target --transform 's,^wirehub,wirehub-$(VERSION),' -czf $(DIST) wirehub
	@echo "$(DIST): $$(du -h $(DIST) | cut -f1)"

run: dist-dir
	$(if $(wildcard $(AOT_CACHE)),WH_AOT_CACHE=$$([ $(AOT_CACHE) -nt target/wirehub.jar ] && echo $(abspath $(AOT_CACHE)) || echo none)) \
		$(DIST_DIR)/bin/wirehub --config $(CONFIG)

image: dist-dir
	IMAGE=$(IMAGE) DIST_DIR=$(DIST_DIR) JDK=$(JDK) image/build.sh

image-test: image
	IMAGE=$(IMAGE) image/test.sh

# A short training run under load (perf/aot-train.sh); retrain after each build. Needs JDK 25.
aot: build
	SERVER_JVM_FLAGS="$(SERVER_JVM_FLAGS)" perf/aot-train.sh

# Every test and every gate: Error Prone (main code, warnings fail), unit tests (Surefire), the jar,
# integration and leak tests (Failsafe), declared dependencies, the formatter check (mvn spotless:apply
# formats). A subset: mvn verify -Dtest='FooIT,BarTest', or leave out the
# tagged ones with -DexcludedGroups=slow,load.
test:
	$(MVN) verify

unit:
	$(MVN) test

bench: build
	perf/run-all.sh

perf-fanout: build
	perf/fanout.sh

# With WIREHUB_JAR set, that jar runs as it is (no build): compare another build against nchan.
perf-compare: $(if $(WIREHUB_JAR),,build)
	perf/compare.sh

# JMH lives in a pom of its own (perf/jmh) so that `make test` never compiles or resolves it.
# Short settings: one fork, 3 warm-up and 5 measured 1-second iterations per configuration.
JMH_ARGS ?= -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
perf-jmh: build
	$(MVN) -q -f perf/jmh/pom.xml package
	java -cp 'perf/jmh/target/wirehub-jmh.jar:perf/jmh/target/libs/*:target/wirehub.jar' io.wirehub.perf.JmhRun $(JMH_ARGS)

perf-store: build
	perf/ingest.sh

perf-buffer: build
	perf/buffer.sh

perf-multi: build
	perf/multi.sh

dev-obs: build
	perf/obs.sh up

dev-obs-down:
	perf/obs.sh down

# Used by CI after the tests: up, every URL answers, down, nothing left running.
dev-obs-check: build
	perf/obs.sh check

clean:
	$(MVN) clean
