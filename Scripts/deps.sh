#!/usr/bin/env bash
# Makes sure the system packages Stipple needs are installed: PostgreSQL (server and
# client), libpq's headers, the C library's headers (<malloc.h>), libvips' headers (photos: decode, strip metadata, thumbnails), pkg-config,
# for the API fuzzing step of Scripts/test.sh python3 with venv and curl, and for its browser test
# chromium and chromium-driver. Safe to run again; installs only what is missing.
set -euo pipefail

need=()
pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
[ -n "$(pg_bin_dir)" ] && [ -x "$(pg_bin_dir)/initdb" ] || need+=(postgresql postgresql-contrib)
command -v psql >/dev/null 2>&1 || need+=(postgresql-client)
[ -f /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# <malloc.h> for the CMalloc bridge (the rebuild's allocator setting, Package.swift names libc6-dev).
[ -f /usr/include/malloc.h ] || need+=(libc6-dev)
# libvips 8.14 (the Imaging module's CVips bridge); its tests also run pg_dump (postgresql-client, above).
[ -f /usr/include/vips/vips.h ] || need+=(libvips-dev)
command -v pgbench >/dev/null 2>&1 || need+=(postgresql-contrib)
command -v curl >/dev/null 2>&1 || need+=(curl)
# WebhookTLSTests makes a test CA and a receiver certificate with the openssl command.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Scripts/console-browser.sh drives the console in headless Chromium through Debian's chromedriver.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# Scripts/api-fuzz.sh installs schemathesis into a venv: Debian's python3 needs python3-venv for that.
if ! command -v python3 >/dev/null 2>&1; then
    need+=(python3 python3-venv)
elif ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    need+=(python3-venv)
fi

if [ ${#need[@]} -gt 0 ]; then
    echo "deps: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # The Debian package would start a system cluster; we run our own, so keep it from starting.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
        trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ] || {
    echo "deps: no Swift toolchain found (expected swift on PATH or /opt/swift)" >&2
    exit 1
}
