#!/bin/sh
# The MKL CPU-check shim (mkl_intel_cpu.c beside this script): building it and deciding whether to preload it.
#   mkl-shim.sh build BUILD_DIR    compiles BUILD_DIR/native/libcliptune_mkl_shim.so when a C compiler (cc or
#                                  gcc) exists; without one it says so and succeeds (everything works without
#                                  the shim, MKL just takes its default path)
#   mkl-shim.sh preload BUILD_DIR  prints the shim's path when it should be preloaded, nothing otherwise:
#                                  CLIPTUNE_MKL_SHIM=0 never, =1 whenever built, unset or auto: on x86-64 CPUs
#                                  whose vendor is not Intel (where libtorch's MKL takes its generic code path)
# Called by the Maven build (pom.xml, maven-antrun-plugin) and by bin/cliptune; one place for both decisions.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-}
build=${2:-}
if [ -z "$mode" ] || [ -z "$build" ]; then
  echo "usage: mkl-shim.sh build|preload BUILD_DIR" >&2
  exit 2
fi
lib="$build/native/libcliptune_mkl_shim.so"
case "$mode" in
  build)
    src="$here/mkl_intel_cpu.c"
    if [ -f "$lib" ] && [ "$lib" -nt "$src" ]; then
      exit 0
    fi
    cc=""
    for c in "${CC:-}" cc gcc clang; do
      if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then
        cc=$c
        break
      fi
    done
    if [ -z "$cc" ]; then
      echo "mkl-shim: no C compiler (cc, gcc, clang): MKL CPU-check shim not built; cliptune runs without it" >&2
      exit 0
    fi
    mkdir -p "$build/native" || exit 0
    tmp="$lib.tmp.$$"
    if "$cc" -O2 -shared -fPIC -Wall -o "$tmp" "$src"; then
      mv -f "$tmp" "$lib"
      echo "mkl-shim: built $lib with $cc"
    else
      rm -f "$tmp"
      echo "mkl-shim: $cc failed: MKL CPU-check shim not built; cliptune runs without it" >&2
    fi
    exit 0
    ;;
  preload)
    [ -f "$lib" ] || exit 0
    case "${CLIPTUNE_MKL_SHIM:-auto}" in
      0|off|false|no) exit 0 ;;
      1|on|true|yes) echo "$lib"; exit 0 ;;
    esac
    [ "$(uname -m 2>/dev/null)" = x86_64 ] || exit 0
    vendor=$(grep -m1 '^vendor_id' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//')
    if [ -n "$vendor" ] && [ "$vendor" != GenuineIntel ]; then
      echo "$lib"
    fi
    exit 0
    ;;
  *)
    echo "mkl-shim.sh: unknown mode '$mode' (build or preload)" >&2
    exit 2
    ;;
esac
