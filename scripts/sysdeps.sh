#!/usr/bin/env bash
# Install the Debian packages some tests use: chromium (browser tests) and espeak-ng (speech).
# Best effort: without root or apt the dependent tests skip with a reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "sysdeps: cannot install ${need[*]} (not root or no apt-get); tests that need them will skip" >&2
  exit 0
fi
echo "sysdeps: installing ${need[*]}" >&2
for attempt in 1 2 3; do
  if apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; then
    exit 0
  fi
  sleep 5
done
echo "sysdeps: apt-get could not install ${need[*]}; tests that need them will skip" >&2
exit 0
