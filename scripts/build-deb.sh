#!/usr/bin/env bash
# Builds the Debian packages counterd_VERSION_ARCH.deb and counter-hub_VERSION_ARCH.deb with
# dpkg-deb (no debhelper). Package layout and maintainer scripts: packaging/deb/.
#
#   scripts/build-deb.sh [--bin-dir DIR] [--out DIR]
#
#   --bin-dir DIR  take counterd, counterctl and counter-hub from DIR (e.g. .build/debug) instead
#                  of running the release build (static Swift runtime) first
#   --out DIR      where the .deb files go (default: dist/ in the repository)
#
# Needs dpkg-deb, help2man, binutils (strip, readelf) and the binaries' libraries installed (the
# Depends line is computed from the libraries the binaries load). Set DEBFULLNAME and DEBEMAIL to
# name the maintainer. Test the result with scripts/test-deb.sh (as root).
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8 COLUMNS=80

repo=$(cd "$(dirname "$0")/.." && pwd)
packaging="$repo/packaging/deb"
bin_dir=""
out_dir="$repo/dist"

die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
    case "$1" in
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; bin_dir=$2; shift 2 ;;
    --bin-dir=*) bin_dir=${1#*=}; shift ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out_dir=$2; shift 2 ;;
    --out=*) out_dir=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
done

started=$SECONDS
stage() { printf '\n==> [%3ss] %s\n' "$((SECONDS - started))" "$*"; }

# ---------------------------------------------------------------------------------------------
stage "checking tools"
need() { # COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found: install it with 'sudo apt-get install $2' (scripts/setup.sh installs it)"
}
need dpkg-deb dpkg
need dpkg-query dpkg
need help2man help2man
need strip binutils
need readelf binutils
need ldd libc-bin
need gzip gzip
need perl perl-base
arch=$(dpkg --print-architecture)
echo "architecture $arch, help2man $(help2man --version | head -1 | awk '{print $NF}')"

# ---------------------------------------------------------------------------------------------
products=(counterd counterctl counter-hub)
if [ -z "$bin_dir" ]; then
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="$PATH:/opt/swift/usr/bin"
    fi
    command -v swift >/dev/null 2>&1 || die "swift not found (expected in /opt/swift/usr/bin); or pass --bin-dir DIR"
    for product in "${products[@]}"; do
        stage "release build of $product: swift build -c release --static-swift-stdlib --product $product"
        (cd "$repo" && swift build -c release --static-swift-stdlib --product "$product")
    done
    bin_dir=$(cd "$repo" && swift build -c release --show-bin-path)
else
    [ -d "$bin_dir" ] || die "--bin-dir $bin_dir is not a directory"
    bin_dir=$(cd "$bin_dir" && pwd)
fi
stage "binaries from $bin_dir"
for product in "${products[@]}"; do
    [ -x "$bin_dir/$product" ] || die "$bin_dir/$product is missing or not executable (build it: swift build --product $product)"
    printf '%-12s %s bytes\n' "$product" "$(stat -c %s "$bin_dir/$product")"
done

version=$("$bin_dir/counterd" --version </dev/null) || die "'$bin_dir/counterd --version' failed"
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "counterd --version printed '$version', which is not a Debian version"
echo "version $version (from counterd --version)"

maintainer="${DEBFULLNAME:-counterd authors} <${DEBEMAIL:-counterd@example.org}>"
[[ $maintainer != *$'\n'* ]] || die "DEBFULLNAME and DEBEMAIL must be one line each"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH # dpkg-deb clamps file times to it; help2man dates the man pages with it
# A version without a Debian revision is a native package: its changelog is changelog.gz (Policy 12.7).
case "$version" in *-*) changelog=changelog.Debian.gz ;; *) changelog=changelog.gz ;; esac
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/build-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------------------------------------
# Helpers

put() { # MODE SOURCE ROOT DESTINATION
    install -D -m "$1" "$2" "$3$4"
}

put_tree() { # SOURCE-DIR ROOT DESTINATION-DIR: the profiles (*.json) and READMEs, as they are laid out
    local source=$1 root=$2 destination=$3 file count=0
    while IFS= read -r -d '' file; do
        install -D -m 0644 "$source/$file" "$root$destination/$file"
        count=$((count + 1))
    done < <(cd "$source" && find . -type f \( -name '*.json' -o -name 'README.md' \) -printf '%P\0' | sort -z)
    [ "$count" -gt 0 ] || die "no profiles in $source"
    echo "$destination: $count files"
}

put_binary() { # NAME ROOT: a stripped copy; the original is not touched
    install -D -m 0755 "$bin_dir/$1" "$2/usr/bin/$1"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$2/usr/bin/$1"
    printf '/usr/bin/%-12s %10s bytes (stripped from %s)\n' "$1" "$(stat -c %s "$2/usr/bin/$1")" "$(stat -c %s "$bin_dir/$1")"
}

roff_verbatim() { # stdin: plain text; stdout: text safe inside .nf/.fi
    sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
}

subcommands() { # BINARY [SUBCOMMAND...]: the names listed under SUBCOMMANDS: in its help
    local binary=$1; shift
    "$binary" help "$@" </dev/null 2>/dev/null |
        awk '/^SUBCOMMANDS:/ { s = 1; next } s && /^[[:space:]]*$/ { exit } s && /^  [^ ]/ { print $1 }'
}

subcommand_sections() { # BINARY NAME [SUBCOMMAND...]: one .SS per subcommand, recursively
    local binary=$1 name=$2; shift 2
    local sub
    for sub in $(subcommands "$binary" "$@"); do
        printf '.SS "%s"\n.nf\n' "$name $* $sub" | sed 's/  */ /g'
        "$binary" help "$@" "$sub" </dev/null | sed -e "/^ *See '.*' for detailed help\\.\$/d" | roff_verbatim
        printf '.fi\n'
        subcommand_sections "$binary" "$name" "$@" "$sub"
    done
}

man_page() { # NAME SECTION ROOT
    local name=$1 section=$2 root=$3 binary="$bin_dir/$1"
    local include="$work/$name.h2m" page="$work/$name.$section" description
    # NAME line: the command's OVERVIEW, lower-cased first letter, no final period.
    description=$("$binary" --help </dev/null | awk '/^OVERVIEW:/ { s = 1; sub(/^OVERVIEW: */, "") } s && /^[[:space:]]*$/ { exit } s { printf "%s%s", (n++ ? " " : ""), $0 }' |
        sed -e 's/  */ /g' -e 's/\.$//')
    description="$(printf '%s' "${description:0:1}" | tr '[:upper:]' '[:lower:]')${description:1}"
    [ -n "$description" ] || die "$name --help has no OVERVIEW line"
    {
        if [ "$name" = counter-hub ]; then
            printf '[DESCRIPTION]\n'
            printf 'A reference implementation of the central engine, for tests, demos and protocol conformance\n'
            printf 'checks (\\fI/usr/share/doc/counter-hub/protocol.md\\fR). It is not a production engine and a\n'
            printf 'shop counter does not need it.\n'
        fi
        printf '[SUBCOMMAND DETAILS]\n'
        printf 'The help of each subcommand, as printed by \\fB%s help\\fR \\fISUBCOMMAND\\fR.\n' "$name"
        subcommand_sections "$binary" "$name"
        printf '[SEE ALSO]\n'
        case "$name" in
        counterd) printf '.BR counterctl (1),\n.BR systemctl (1),\n.BR journalctl (1).\n' ;;
        counterctl) printf '.BR counterd (8).\n' ;;
        counter-hub) printf '.BR counterd (8).\n' ;;
        esac
        printf '.PP\nThe documentation in \\fI/usr/share/doc/counterd/\\fR: README.md, install.md, configuration.md.\n'
    } >"$include"
    local version_args=()
    if ! "$binary" --version </dev/null >/dev/null 2>&1; then
        version_args=(--version-string="$version") # counterctl and counter-hub have no --version
    fi
    # help2man reads the help through a wrapper of the same name that puts it in the shape help2man
    # knows: the OVERVIEW paragraph is the NAME line already, "Usage:" makes the SYNOPSIS and
    # "Options:" the OPTIONS section; the subcommands' help goes to SUBCOMMAND DETAILS.
    install -d "$work/help2man"
    cat >"$work/help2man/shape.awk" <<'AWK'
NR == 1 && /^OVERVIEW:/ { skip = 1 }
skip { if (/^[[:space:]]*$/) skip = 0; next }
/^USAGE: / { sub(/^USAGE: /, "Usage: ") }
/^OPTIONS:$/ { $0 = "Options:" }
/^ *See '.*' for detailed help\.$/ { next }
{ print }
AWK
    cat >"$work/help2man/$name" <<'WRAPPER'
#!/bin/sh
[ "$1" = --version ] && exec "$H2M_BINARY" --version
"$H2M_BINARY" --help </dev/null | awk -f "$(dirname "$0")/shape.awk"
WRAPPER
    chmod 0755 "$work/help2man/$name"
    H2M_BINARY=$binary help2man --no-info --section="$section" --name="$description" --include="$include" \
        "${version_args[@]}" --output="$page" "$work/help2man/$name" ||
        die "help2man failed for $name"
    grep -q '^\.SH "\{0,1\}SUBCOMMAND DETAILS' "$page" || die "help2man dropped the subcommand details of $name"
    # Characters outside ASCII (… in the help, 重打 in counterctl's) as groff escapes: the page reads
    # the same in every locale and groff needs no preconv.
    perl -CSD -pi -e 's/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge' "$page"
    install -d -m 0755 "$root/usr/share/man/man$section"
    gzip -9n <"$page" >"$root/usr/share/man/man$section/$name.$section.gz"
    chmod 0644 "$root/usr/share/man/man$section/$name.$section.gz"
    printf '/usr/share/man/man%s/%s.%s.gz (help of %s subcommands%s)\n' "$section" "$name" "$section" \
        "$(grep -c "^\\.SS \"$name " "$page")" "${version_args:+; version from counterd}"
}

completions() { # NAME ROOT
    local name=$1 root=$2 shell file
    for shell in bash zsh fish; do
        case "$shell" in
        bash) file=/usr/share/bash-completion/completions/$name ;;
        zsh) file=/usr/share/zsh/vendor-completions/_$name ;;
        fish) file=/usr/share/fish/vendor_completions.d/$name.fish ;;
        esac
        install -d -m 0755 "$root$(dirname "$file")"
        "$bin_dir/$name" --generate-completion-script "$shell" </dev/null >"$work/completion" ||
            die "$name --generate-completion-script $shell failed"
        # bash-completion sources the file: no #! line (lintian: bash-completion-with-hashbang)
        if [ "$shell" = bash ]; then sed '1{/^#!/d}' "$work/completion" >"$root$file"; else cp "$work/completion" "$root$file"; fi
        [ -s "$root$file" ] || die "$name --generate-completion-script $shell printed nothing"
        chmod 0644 "$root$file"
    done
    echo "completions of $name: bash, zsh, fish"
}

package_of() { # LIBRARY-PATH: the Debian package that ships it
    local path candidate line
    for path in "$1" "$(readlink -f "$1")"; do
        # merged /usr: dpkg knows a file under the path its package ships, /lib or /usr/lib
        for candidate in "$path" "${path#/usr}" "/usr$path"; do
            line=$(dpkg-query -S "$candidate" 2>/dev/null | grep -v '^diversion by' | head -1) || true
            if [ -n "$line" ]; then
                line=${line%%: /*}      # "libc6:amd64: /lib/..." -> "libc6:amd64"
                line=${line%%,*}        # "a, b" -> "a"
                echo "${line%%:*}"      # "libc6:amd64" -> "libc6"
                return 0
            fi
        done
    done
    return 1
}

depends_of() { # BINARY...: "pkg (>= upstream-version)" for the libraries the binaries load directly
    local binary needed path pkg pkg_version packages=()
    for binary in "$@"; do
        local resolved
        resolved=$(ldd "$binary") || die "ldd $binary failed"
        echo "  ${binary##*/}:" >&2
        if grep -q 'not found' <<<"$resolved"; then
            die "$binary needs libraries that are not installed: $(grep 'not found' <<<"$resolved" | awk '{print $1}' | tr '\n' ' ')"
        fi
        # Only the binary's own NEEDED entries: the libraries' dependencies are their packages' business.
        while read -r needed; do
            path=$(awk -v lib="$needed" '$1 == lib && $2 == "=>" { print $3 }' <<<"$resolved")
            [ -n "$path" ] || path=$(awk -v lib="$needed" '$1 ~ "/" lib "$" { print $1 }' <<<"$resolved")
            [ -n "$path" ] || die "ldd does not resolve $needed for $binary"
            case "$path" in /opt/swift/*) continue ;; esac # the toolchain's runtime (debug builds only)
            pkg=$(package_of "$path") || die "no Debian package ships $path (needed by $binary)"
            packages+=("$pkg")
            printf '    %-24s %-44s %s\n' "$needed" "$path" "$pkg" >&2
        done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    done
    for pkg in $(printf '%s\n' "${packages[@]}" | sort -u); do
        pkg_version=$(dpkg-query -W -f='${Version}' "$pkg")
        case "$pkg_version" in *-*) pkg_version=${pkg_version%-*} ;; esac # keep the epoch, drop the Debian revision
        printf '%s (>= %s)\n' "$pkg" "$pkg_version"
    done | paste -sd, - | sed 's/,/, /g'
}

copyright() { # stdout: packaging/deb/copyright plus the Swift packages the build resolved
    cat "$packaging/copyright"
    local checkouts="$repo/.build/checkouts" dir name license holder licenses=()
    if [ -d "$checkouts" ]; then
        for dir in "$checkouts"/*/; do
            dir=${dir%/}; name=${dir##*/}
            license=$(find "$dir" -maxdepth 1 -iname 'LICENSE*' -print -quit)
            [ -n "$license" ] || continue
            if grep -q 'Apache License' "$license"; then license=Apache-2.0
            elif grep -q 'Permission is hereby granted' "$license"; then license=Expat
            else license="other (see $name's LICENSE)"; fi
            holder=$(cat "$dir"/NOTICE* "$dir"/LICENSE* 2>/dev/null | grep -m1 -E '^ *Copyright ([(cC)]+ )?[0-9]' | sed 's/^ *Copyright *//') ||
                true
            [ -n "$holder" ] || holder="the $name authors"
            printf '\nFiles: .build/checkouts/%s/*\nCopyright: %s\nLicense: %s\n' "$name" "$holder" "$license"
            licenses+=("$license")
        done
        if printf '%s\n' "${licenses[@]}" | grep -q '^Apache-2.0$'; then
            printf '\nLicense: Apache-2.0\n On Debian systems the full text of the Apache License, Version 2.0, is in\n /usr/share/common-licenses/Apache-2.0.\n'
        fi
    fi
    cat <<'EOF'

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
EOF
}

package_docs() { # PACKAGE ROOT: copyright and the changelog
    local name=$1 root=$2 doc="$2/usr/share/doc/$1"
    install -d -m 0755 "$doc"
    copyright >"$doc/copyright"
    chmod 0644 "$doc/copyright"
    {
        printf 'counterd (%s) unstable; urgency=medium\n\n' "$version"
        printf '  * Built by scripts/build-deb.sh\n    from git commit %s.\n\n' "$commit"
        printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
    } | gzip -9n >"$doc/$changelog"
    chmod 0644 "$doc/$changelog"
}

control() { # PACKAGE ROOT DEPENDS
    local name=$1 root=$2 depends=$3 size
    install -d -m 0755 "$root/DEBIAN"
    size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
    local text
    text=$(<"$packaging/$name.control")
    text=${text//@VERSION@/$version}
    text=${text//@ARCH@/$arch}
    text=${text//@MAINTAINER@/"$maintainer"}
    text=${text//@INSTALLED_SIZE@/$size}
    text=${text//@DEPENDS@/$depends}
    printf '%s\n' "$text" >"$root/DEBIAN/control"
    ! grep -q '@[A-Z_]*@' "$root/DEBIAN/control" || die "unfilled field in $name's control: $(grep '@[A-Z_]*@' "$root/DEBIAN/control")"
    (cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
    if [ -d "$root/etc" ]; then
        (cd "$root" && find etc -type f -printf '/%p\n' | sort) >"$root/DEBIAN/conffiles"
    fi
    chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
    [ ! -f "$root/DEBIAN/conffiles" ] || chmod 0644 "$root/DEBIAN/conffiles"
    echo "Installed-Size: $size KiB"
}

build() { # PACKAGE ROOT
    local deb="$out_dir/${1}_${version}_${arch}.deb"
    dpkg-deb --build --root-owner-group "$2" "$deb" >/dev/null
    built+=("$deb")
}

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
built=()

# ---------------------------------------------------------------------------------------------
root="$work/counterd"
stage "counterd: binaries"
put_binary counterd "$root"
put_binary counterctl "$root"

stage "counterd: systemd unit, sysusers, tmpfiles, udev rules"
put 0644 "$repo/systemd/counterd.service" "$root" /usr/lib/systemd/system/counterd.service
put 0644 "$repo/systemd/counterd.sysusers" "$root" /usr/lib/sysusers.d/counterd.conf
put 0644 "$repo/systemd/counterd.tmpfiles" "$root" /usr/lib/tmpfiles.d/counterd.conf
put 0644 "$repo/udev/70-counterd-scanners.rules" "$root" /usr/lib/udev/rules.d/70-counterd-scanners.rules
echo "/usr/lib/systemd/system/counterd.service, /usr/lib/sysusers.d/counterd.conf, /usr/lib/tmpfiles.d/counterd.conf"
echo "/usr/lib/udev/rules.d/70-counterd-scanners.rules"

stage "counterd: scanner and printer profiles"
put_tree "$repo/drivers/scanners" "$root" /usr/share/counterd/scanners
put_tree "$repo/drivers/printers" "$root" /usr/share/counterd/printers

stage "counterd: configuration (conffile)"
put 0644 "$repo/config/counterd.yaml" "$root" /etc/counterd/counterd.yaml
echo "/etc/counterd/counterd.yaml (from config/counterd.yaml; root:counterd 0640 after the postinst)"

stage "counterd: documentation"
doc=/usr/share/doc/counterd
put 0644 "$repo/README.md" "$root" "$doc/README.md"
for file in "$repo"/docs/*.md "$repo/docs/openapi.yaml"; do
    put 0644 "$file" "$root" "$doc/${file##*/}"
done
put 0644 "$repo/config/counterd.example.yaml" "$root" "$doc/examples/counterd.example.yaml"
package_docs counterd "$root"
[ -f "$repo/docs/install.md" ] || echo "warning: docs/install.md does not exist yet; the postinst and the unit refer to it" >&2
(cd "$root$doc" && find . -type f -printf '%P\n' | sort | paste -sd' ' -)

stage "counterd: man pages (help2man)"
man_page counterd 8 "$root"
man_page counterctl 1 "$root"

stage "counterd: shell completions"
completions counterd "$root"
completions counterctl "$root"

put 0644 "$packaging/counterd.lintian-overrides" "$root" /usr/share/lintian/overrides/counterd

stage "counterd: maintainer scripts and control"
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
    install -m 0755 "$packaging/$script" "$root/DEBIAN/$script"
done
echo "libraries (NEEDED, resolved by ldd, package):"
depends=$(depends_of "$root/usr/bin/counterd" "$root/usr/bin/counterctl")
# The postinst makes the user with systemd-sysusers (package systemd) or, without it, adduser.
depends="${depends:+$depends, }adduser"
echo "Depends: $depends"
control counterd "$root" "$depends"
build counterd "$root"

# ---------------------------------------------------------------------------------------------
root="$work/counter-hub"
stage "counter-hub: binary, man page, completions, documentation"
put_binary counter-hub "$root"
man_page counter-hub 1 "$root"
completions counter-hub "$root"
package_docs counter-hub "$root"
put 0644 "$repo/docs/protocol.md" "$root" /usr/share/doc/counter-hub/protocol.md
put 0644 "$repo/docs/openapi.yaml" "$root" /usr/share/doc/counter-hub/openapi.yaml

stage "counter-hub: control"
echo "libraries (NEEDED, resolved by ldd, package):"
hub_depends=$(depends_of "$root/usr/bin/counter-hub")
[ -n "$hub_depends" ] || die "no Depends computed for counter-hub"
echo "Depends: $hub_depends"
control counter-hub "$root" "$hub_depends"
build counter-hub "$root"

# ---------------------------------------------------------------------------------------------
stage "done in $((SECONDS - started)) s"
for deb in "${built[@]}"; do
    printf '%s  %s bytes (%s)\n' "$deb" "$(stat -c %s "$deb")" "$(du -h "$deb" | cut -f1)"
done
