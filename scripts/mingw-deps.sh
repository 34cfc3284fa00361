#!/usr/bin/env bash
# Installs mingw-w64 and Wine, and builds what Debian does not ship for mingw
# (cmocka, ncurses with its Windows console driver, cJSON, OpenSSL's libcrypto) from Debian's
# own source packages into build/mingw-prefix. Each library is built once and
# kept there: a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
prefix=$top/build/mingw-prefix
src=$top/build/mingw-src
mkdir -p "$prefix" "$src"

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
need=()
for p in gcc-mingw-w64-x86-64 wine wine64 dpkg-dev cmake make pkg-config; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
sources_ready() { apt-cache showsrc cmocka 2>/dev/null | grep -q '^Package: cmocka'; }
if [ ${#need[@]} -gt 0 ] || ! sources_ready; then
    # source packages: add deb-src beside the machine's own deb entries
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        grep -q '^Types:.*deb-src' "$f" || "${as_root[@]}" sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
    done
    if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list && ! grep -q '^deb-src ' /etc/apt/sources.list; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | "${as_root[@]}" tee -a /etc/apt/sources.list >/dev/null
    fi
    "${as_root[@]}" apt-get update -qq
    if [ ${#need[@]} -gt 0 ]; then
        echo "Installing: ${need[*]}"
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
fi

fetch() { # fetch SOURCE-PACKAGE: unpacks it under $src once, prints its directory
    local dir
    dir=$(find "$src" -maxdepth 1 -type d -name "$1-*" | head -n 1)
    if [ -z "$dir" ]; then
        (cd "$src" && apt-get source -qq "$1" >/dev/null 2>&1)
        dir=$(find "$src" -maxdepth 1 -type d -name "$1-*" | head -n 1)
    fi
    echo "$dir"
}
toolchain=$top/cmake/mingw-w64.cmake
jobs=$(nproc)

if [ ! -f "$prefix/.cmocka" ]; then
    d=$(fetch cmocka)
    cmake -S "$d" -B "$src/cmocka-build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_BUILD_TYPE=Release -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >/dev/null
    cmake --build "$src/cmocka-build" -j"$jobs" >/dev/null
    cmake --install "$src/cmocka-build" >/dev/null
    touch "$prefix/.cmocka"
fi

if [ ! -f "$prefix/.cjson" ]; then
    d=$(fetch cjson)
    cmake -S "$d" -B "$src/cjson-build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
        -DENABLE_CUSTOM_COMPILER_FLAGS=OFF >/dev/null
    cmake --build "$src/cjson-build" -j"$jobs" >/dev/null
    cmake --install "$src/cjson-build" >/dev/null
    touch "$prefix/.cjson"
fi

if [ ! -f "$prefix/.openssl" ]; then
    # libcrypto for the key check. Debian's own patch tarball is not always on
    # the mirror; the upstream tarball is, and is all libcrypto needs.
    tarball=$(find "$src" -maxdepth 1 -name 'openssl_*.orig.tar.gz' | head -n 1)
    if [ -z "$tarball" ]; then
        (cd "$src" && apt-get source --download-only -qq openssl >/dev/null 2>&1) || true
        tarball=$(find "$src" -maxdepth 1 -name 'openssl_*.orig.tar.gz' | head -n 1)
    fi
    [ -n "$tarball" ] || { echo "mingw-deps: no OpenSSL source package" >&2; exit 1; }
    tar xzf "$tarball" -C "$src"
    d=$(find "$src" -maxdepth 1 -type d -name 'openssl-*' | head -n 1)
    # The paths libcrypto compiles in are fixed, not this checkout's: the same bytes on every
    # machine, and no-dso plus no-autoload-config (with ikec_init) mean nothing is loaded from
    # them, so an openssl.cnf or module planted there on a Windows drive is never read.
    (cd "$d" && ./Configure mingw64 no-shared no-asm no-tests no-dso no-autoload-config \
        --cross-compile-prefix=x86_64-w64-mingw32- --prefix=/l2tpfix-openssl \
        --openssldir=/l2tpfix-openssl/ssl --libdir=lib >/dev/null &&
        make -j"$jobs" build_libs >/dev/null && make install_dev DESTDIR="$src/openssl-root" >/dev/null &&
        cp -a "$src/openssl-root/l2tpfix-openssl/." "$prefix/")
    touch "$prefix/.openssl"
fi

if [ ! -f "$prefix/.ncurses" ]; then
    d=$(fetch ncurses)
    mkdir -p "$src/ncurses-build"
    (cd "$src/ncurses-build" && "$d/configure" --host=x86_64-w64-mingw32 --prefix="$prefix" \
        --enable-term-driver --enable-sp-funcs --enable-widec --without-shared --with-normal \
        --without-debug --without-cxx --without-cxx-binding --without-ada --without-progs \
        --without-tests --without-manpages --disable-home-terminfo --disable-termcap \
        --disable-database --without-fallbacks --disable-macros --disable-overwrite \
        --with-build-cc=gcc --without-pkg-config >/dev/null &&
        make -j"$jobs" -C include >/dev/null && make -j"$jobs" -C ncurses >/dev/null &&
        make -C include install >/dev/null && make -C ncurses install >/dev/null)
    touch "$prefix/.ncurses"
fi
echo "mingw prefix ready: $prefix"
