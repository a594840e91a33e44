#!/usr/bin/env bash
# Called by debian/rules after the build: writes what the packages ship but the source tree does not
# hold, made from the built binaries themselves.
#
#   debian/generate.sh BIN_DIR OUT_DIR VERSION
#
#   OUT_DIR/counterd.8, counterctl.1, counter-hub.1   man pages (help2man: --help, and every
#                                                       subcommand's help under SUBCOMMAND DETAILS)
#   OUT_DIR/bash/NAME, zsh/_NAME, fish/NAME.fish        shell completions (--generate-completion-script)
#   OUT_DIR/copyright                                   debian/copyright plus the Swift packages the
#                                                       build resolved (.build/checkouts)
# Checks first that counterd --version prints VERSION (debian/changelog's).
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8 COLUMNS=80

[ $# -eq 3 ] || { sed -n '4,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
bin_dir=$1 out=$2 version=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/lib.sh"
die() { printf 'debian/generate.sh: %s\n' "$*" >&2; exit 1; }

for product in counterd counterctl counter-hub; do
    [ -x "$bin_dir/$product" ] || die "$bin_dir/$product is missing or not executable"
    printf '%-12s %s bytes (%s)\n' "$product" "$(stat -c %s "$bin_dir/$product")" "$bin_dir/$product"
done
built=$("$bin_dir/counterd" --version </dev/null) || die "'$bin_dir/counterd --version' failed"
[ "$built" = "$version" ] ||
    die "counterd --version prints '$built' but debian/changelog says '$version': add an entry (dch -v '$built')"
echo "version $version (counterd --version and debian/changelog agree)"

rm -rf "$out"
mkdir -p "$out"
make_temp_dir work build-deb

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

man_page() { # NAME SECTION
    local name=$1 section=$2 binary="$bin_dir/$1"
    local include="$work/$name.h2m" page="$out/$name.$section" description
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
    printf '%s (help of %s subcommands%s)\n' "$page" "$(grep -c "^\\.SS \"$name " "$page")" "${version_args:+; version from counterd}"
}

completions() { # NAME
    local name=$1 shell file
    for shell in bash zsh fish; do
        case "$shell" in
        bash) file=$out/bash/$name ;;
        zsh) file=$out/zsh/_$name ;;
        fish) file=$out/fish/$name.fish ;;
        esac
        install -d "$(dirname "$file")"
        "$bin_dir/$name" --generate-completion-script "$shell" </dev/null >"$work/completion" ||
            die "$name --generate-completion-script $shell failed"
        # bash-completion sources the file: no #! line (lintian: bash-completion-with-hashbang)
        if [ "$shell" = bash ]; then sed '1{/^#!/d}' "$work/completion" >"$file"; else cp "$work/completion" "$file"; fi
        [ -s "$file" ] || die "$name --generate-completion-script $shell printed nothing"
    done
    echo "completions of $name: bash, zsh, fish"
}

copyright() { # stdout: debian/copyright plus the Swift packages the build resolved
    cat "$repo/debian/copyright"
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

man_pages() { man_page counterd 8; man_page counterctl 1; man_page counter-hub 1; }
all_completions() { completions counterd; completions counterctl; completions counter-hub; }
stage "man pages (help2man)" man_pages
stage "shell completions" all_completions
copyright >"$out/copyright"
echo "$out/copyright ($(grep -c '^Files: \.build/checkouts/' "$out/copyright") Swift packages)"
