#!/usr/bin/env bash
# Issue 19: scripts/release.sh, run twice, gives the same bytes; SHA256SUMS checks them;
# the .deb holds what it should, depends on its libraries' packages, and its binary runs;
# the zip's l2tpfix.exe runs under Wine in a fresh prefix and answers as the .deb's binary.
# In CI (CI=true, as root) the .deb is also installed with dpkg -i, run, and removed.
# Usage: run_release_tests.sh SOURCE_DIR VERSION   (L2F_MINGW_PREFIX passes on to release.sh)
set -u
SRC=$1 version=$2
. "$SRC/tests/cli/lib_work.sh" release
wine=$(command -v /usr/lib/wine/wine64 wine64 2>/dev/null | head -n 1)
work_cleanup() {
    [ -d "$WORK/wine" ] && bash "$SRC/tests/windows/wine_stop.sh" "$WORK/wine" >/dev/null 2>&1
    return 0
}
fail_detail() { [ -s "$WORK/last" ] && tail -20 "$WORK/last"; }

# --- two runs, two folders, the same bytes
for d in d1 d2; do
    if bash "$SRC/scripts/release.sh" "$WORK/$d" >"$WORK/last" 2>&1; then ok; else bad "release.sh into $d failed"; fi
done
commit=$(git -C "$SRC" rev-parse --short=12 HEAD)
files=("l2tpfix-$version-win64.zip" "l2tpfix_${version}_$(dpkg --print-architecture).deb" SHA256SUMS)
: >"$WORK/last"
for f in "${files[@]}"; do
    if [ -f "$WORK/d1/$f" ] && cmp "$WORK/d1/$f" "$WORK/d2/$f"; then ok; else bad "$f: missing or not the same in both runs"; fi
done
extra=$(ls "$WORK/d1" | grep -vxF -e "${files[0]}" -e "${files[1]}" -e "${files[2]}")
[ -z "$extra" ] && ok || bad "dist holds more than the release: $extra"
zip=$WORK/d1/${files[0]} deb=$WORK/d1/${files[1]}

# --- SHA256SUMS: both files, checked; a changed byte is caught
if (cd "$WORK/d1" && sha256sum -c --strict SHA256SUMS >"$WORK/last" 2>&1) && [ "$(wc -l <"$WORK/d1/SHA256SUMS")" -eq 2 ]; then ok; else
    bad "sha256sum -c SHA256SUMS"; fi
cp -r "$WORK/d1" "$WORK/tampered"
printf 'x' | dd of="$WORK/tampered/${files[1]}" bs=1 seek=1000 conv=notrunc status=none
if (cd "$WORK/tampered" && sha256sum -c --quiet SHA256SUMS >/dev/null 2>&1); then bad "a changed .deb passed sha256sum -c"; else ok; fi

# --- the .deb: fields, Depends from its libraries, contents, and its binary
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = l2tpfix ] && [ "$(field Version)" = "$version" ] && ok || bad "Package/Version: $(field Package) $(field Version)"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] && ok || bad "Maintainer '$(field Maintainer)' is not 'Name <address>'"
[ -n "$(field Description)" ] && ok || bad "no Description"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $2, $6}' | sort >"$WORK/contents"
printf '%s\n' "root/root ./usr/bin/l2tpfix" "root/root ./usr/share/doc/l2tpfix/LICENSE" \
    "root/root ./usr/share/doc/l2tpfix/README.md" >"$WORK/want-contents"
if cmp -s "$WORK/contents" "$WORK/want-contents"; then ok; else bad "the .deb's files: $(tr '\n' ' ' <"$WORK/contents")"; fi
dpkg-deb -x "$deb" "$WORK/root"
bin=$WORK/root/usr/bin/l2tpfix
depends=$(field Depends)
for so in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    pkgs=$(dpkg -S "*/$so" 2>/dev/null | sed -n "s/^\([^:]*\):$(dpkg --print-architecture): .*/\1/p" | sort -u)
    found=no
    for p in $pkgs; do [[ ", $depends" == *", $p "* || ", $depends," == *", $p,"* ]] && found=yes; done
    [ "$found" = yes ] && ok || bad "Depends ($depends) names no package of $so (${pkgs:-none found})"
done
cmp -s "$WORK/root/usr/share/doc/l2tpfix/README.md" <(git -C "$SRC" show HEAD:README.md) && ok || bad "the .deb's README.md is not HEAD's"
out=$("$bin" --version)
[ "$out" = "l2tpfix $version (commit $commit)" ] && ok || bad "the .deb's binary: '$out', want l2tpfix $version (commit $commit)"
"$bin" --demo check >"$WORK/deb-check" 2>&1; deb_rc=$?
[ "$deb_rc" -eq 1 ] && grep -q '^Backend  mock: classic-789' "$WORK/deb-check" && ok || bad "the .deb's binary: --demo check exited $deb_rc"

# --- a real install, where this machine is CI's to change
if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
    if dpkg-query -W -f='${Status}' l2tpfix 2>/dev/null | grep -q 'install ok installed'; then
        bad "l2tpfix is installed on this machine already: dpkg -i would replace it"
    elif dpkg -i "$deb" >"$WORK/last" 2>&1; then
        ok
        /usr/bin/l2tpfix --demo check >"$WORK/installed-check" 2>&1; rc=$?
        [ "$rc" -eq 1 ] && cmp -s "$WORK/installed-check" "$WORK/deb-check" && ok || bad "installed: --demo check exited $rc, or answered otherwise"
        dpkg -r l2tpfix >"$WORK/last" 2>&1 && [ ! -e /usr/bin/l2tpfix ] && ok || bad "dpkg -r l2tpfix"
    else
        bad "dpkg -i $deb"
    fi
else
    echo "release: not CI as root: the .deb is unpacked (dpkg-deb -x), not installed"
fi

# --- the zip: its entries, and its l2tpfix.exe under Wine in a prefix of its own
python3 - "$zip" "$WORK/zip" >"$WORK/zip-list" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        print(i.filename, "%04d-%02d-%02d %02d:%02d:%02d" % i.date_time)
    z.extractall(sys.argv[2])
PY
stamp=$(TZ=UTC date -d "@$(git -C "$SRC" log -1 --format=%ct HEAD)" '+%Y-%m-%d %H:%M:%S')
s=$(( 10#${stamp: -2} / 2 * 2 )) # zip keeps even seconds
stamp=${stamp%??}$(printf '%02d' "$s")
printf '%s\n' "LICENSE $stamp" "README.md $stamp" "l2tpfix.exe $stamp" >"$WORK/want-zip"
cmp -s "$WORK/zip-list" "$WORK/want-zip" && ok || bad "the zip's entries: $(tr '\n' ' ' <"$WORK/zip-list")"
if [ -z "$wine" ]; then
    bad "no wine64: the zip's exe cannot be run (scripts/mingw-deps.sh installs Wine)"
else
    export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    bash "$SRC/tests/windows/wine_prefix.sh" "$WORK/wine" >"$WORK/last" 2>&1 || bad "a Wine prefix in $WORK/wine"
    export WINEPREFIX=$WORK/wine
    unset DISPLAY
    out=$("$wine" "$WORK/zip/l2tpfix.exe" --version </dev/null 2>&1 | tr -d '\r')
    [ "$out" = "l2tpfix $version (commit $commit)" ] && ok || bad "the exe: '$out', want l2tpfix $version (commit $commit)"
    "$wine" "$WORK/zip/l2tpfix.exe" --demo check </dev/null >"$WORK/exe-check" 2>&1; rc=$?
    tr -d '\r' <"$WORK/exe-check" >"$WORK/exe-check.lf"
    [ "$rc" -eq "$deb_rc" ] && cmp -s "$WORK/exe-check.lf" "$WORK/deb-check" && ok ||
        { bad "the exe: --demo check exited $rc, the .deb's binary $deb_rc"; diff "$WORK/deb-check" "$WORK/exe-check.lf" | head -10; }
fi

echo "release: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
