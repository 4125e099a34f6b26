#!/usr/bin/env bash
# Mutation testing of the model checker (make mutate). For each bug listed in
# mutants.txt, in a copy of the source: plant it, build the checker's tests and
# weave_models without LTO, and run, in turn,
#   fast    weave_checker_tests engine_test forward_test opaque_test soundness_test views_test,
#           then checker.shard_merge (the runner: verdicts as declared, --jobs, --merge)
#   models  weave_models --jobs JOBS: every model check with its declared verdict
#   deep    oracle_test and differential_test, side by side, only if both passed
# then put the source back. A stage that fails (or times out) catches the mutant.
# Prints one table and fails if a mutant gets through that the list does not
# declare a survivor, if a declared survivor is caught, if one marked
# "caught-by: models" leaves every verdict of weave_models as declared, or if a
# mutant no longer applies or builds.
#
# usage: mutate.sh [--check-only] [NAME...]
#   --check-only  apply each mutant to a scratch copy of its file and stop
#                 (ctest checker.mutants_apply: the list stays in step)
#   NAME...       these mutants only (default: all)
# environment: JOBS (2); WORK (build/mutate): the copy of the source, its build
# and each mutant's output, WORK/NAME/{patch.diff,fast,models,oracle,differential}.txt
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
list=$here/mutants.txt
jobs=${JOBS:-2}
work=${WORK:-$top/build/mutate}
check_only=0
if [[ ${1:-} == --check-only ]]; then check_only=1; shift; fi

die() { echo "mutate: $*" >&2; exit 2; }

# --- the list ---------------------------------------------------------------
# One entry a mutant: name, plants, file, caught-by, survives; its from/to
# pairs are froms/tos[first[i] .. first[i] + npairs[i] - 1].
names=() plants=() files=() caught_by=() survives=() first=() npairs=() froms=() tos=()
new_record() {
  names+=("$1"); plants+=(""); files+=(""); caught_by+=(""); survives+=("")
  first+=("${#froms[@]}"); npairs+=(0)
}
lineno=0; pending_from=""
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  [[ $line =~ ^# ]] && continue
  if [[ -z $line ]]; then
    [[ -n $pending_from ]] && die "mutants.txt:$lineno: a from: without its to:"
    continue
  fi
  [[ $line =~ ^([a-z-]+):\ (.*)$ ]] || die "mutants.txt:$lineno: not 'key: value': $line"
  key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
  if [[ $key == name ]]; then new_record "$value"; continue; fi
  ((${#names[@]} > 0)) || die "mutants.txt:$lineno: $key: before the first name:"
  i=$((${#names[@]} - 1))
  case $key in
    plants) plants[i]=$value ;;
    file) files[i]=$value ;;
    caught-by) [[ $value == models ]] || die "mutants.txt:$lineno: caught-by: models is the one stage a mutant may name"
               caught_by[i]=$value ;;
    survives) survives[i]=$value ;;
    from) [[ -z $pending_from ]] || die "mutants.txt:$lineno: two from: in a row"
          pending_from=$value ;;
    to) [[ -n $pending_from ]] || die "mutants.txt:$lineno: a to: without its from:"
        froms+=("$pending_from"); tos+=("$value"); npairs[i]=$((npairs[i] + 1)); pending_from="" ;;
    *) die "mutants.txt:$lineno: unknown key $key" ;;
  esac
done < "$list"
[[ -z $pending_from ]] || die "mutants.txt: the last from: has no to:"

chosen=()
for i in "${!names[@]}"; do
  [[ -n ${files[i]} && -n ${plants[i]} && ${npairs[i]} -gt 0 ]] \
    || die "mutant ${names[i]}: needs plants:, file: and a from:/to: pair"
  for j in "${!names[@]}"; do
    ((j < i)) && [[ ${names[j]} == "${names[i]}" ]] && die "two mutants named ${names[i]}"
  done
  if (($# == 0)) || [[ " $* " == *" ${names[i]} "* ]]; then chosen+=("$i"); fi
done
for n in "$@"; do
  [[ " ${names[*]} " == *" $n "* ]] || die "no mutant named $n (see $list)"
done

# replace PATH FROM TO: FROM must occur exactly once in PATH.
replace() {
  FROM=$2 TO=$3 perl -e '
    my ($path) = @ARGV; local $/;
    open my $in, "<", $path or die "$path: $!\n"; my $text = <$in>; close $in;
    my $n = () = $text =~ /\Q$ENV{FROM}\E/g;
    if ($n != 1) { print STDERR "found $n times in $path: $ENV{FROM}\n"; exit 3 }
    $text =~ s/\Q$ENV{FROM}\E/$ENV{TO}/;
    open my $out, ">", $path or die "$path: $!\n"; print $out $text; close $out;' "$1"
}

# plant I ROOT: plant mutant I in the tree at ROOT.
plant() {
  local i=$1 root=$2 k
  for ((k = first[i]; k < first[i] + npairs[i]; k++)); do
    replace "$root/${files[i]}" "${froms[k]}" "${tos[k]}" || return 1
  done
  ! cmp -s "$top/${files[i]}" "$root/${files[i]}"
}

if ((check_only)); then
  scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
  bad=0
  for i in "${chosen[@]}"; do
    [[ -f $top/${files[i]} ]] || { echo "mutant ${names[i]}: no file ${files[i]}"; bad=1; continue; }
    mkdir -p "$scratch/$(dirname "${files[i]}")"
    cp "$top/${files[i]}" "$scratch/${files[i]}"
    if plant "$i" "$scratch"; then echo "mutant ${names[i]}: applies"
    else echo "mutant ${names[i]}: DOES NOT APPLY to ${files[i]}: update $list"; bad=1; fi
  done
  echo "${#chosen[@]} mutants, $( ((bad)) && echo "some do not apply" || echo "every one applies")"
  exit "$bad"
fi

# --- the copy and its build ---------------------------------------------------
src=$work/src build=$work/build
mkdir -p "$src"
(cd "$top" && tar -cf - --exclude=./build --exclude=./.git .) | (cd "$src" && tar -xf -)
# A run stopped half-way may have left a mutant's object newer than the file
# tar just put back with its old time: copy the files mutants touch anew.
for f in $(printf '%s\n' "${files[@]}" | sort -u); do cp "$top/$f" "$src/$f"; done
if [[ ! -f $build/build.ninja ]]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
        -DWEAVE_LTO=OFF -DWEAVE_WERROR=OFF > "$work/configure.txt" 2>&1 \
    || die "configuring the copy failed, see $work/configure.txt"
fi
tests=$build/models/weave_checker_tests models=$build/models/weave_models

compile() {
  cmake --build "$build" -j "$jobs" --target weave_checker_tests weave_models weave_checker_shard_checks > "$1" 2>&1
}

# stage OUT SECONDS CMD...: run CMD in models/ with a time and memory limit
# (a mutant may search for ever or grow without bound); its exit status.
stage() {
  local out=$1 secs=$2; shift 2
  local rc=0
  ( ulimit -v $((8 * 1024 * 1024)); cd "$build/models" && exec timeout "$secs" "$@" ) > "$out" 2>&1 || rc=$?
  return "$rc"
}
# counts JSON: "check executions" lines, sorted.
counts() { perl -ne 'print "$1 $2\n" if /"name": "([^"]+)".*"executions": (\d+)/' "$1" | sort; }
verdict() { case $1 in 0) echo passed ;; 124) echo "caught (time)" ;; *) echo caught ;; esac; }

fast=(engine_test forward_test opaque_test soundness_test views_test)
# fast_stage OUT SECONDS: the quick tests, then checker.shard_merge if they passed.
fast_stage() {
  local rc=0
  stage "$1" "$2" "$tests" "${fast[@]}" || rc=$?
  ((rc == 0)) || return "$rc"
  stage "$1.runner" "$2" cmake -DRUNNER="$build/models/weave_checker_shard_checks" \
        -DWORK="$build/models/shard_merge_test" -P "$src/models/checker/tests/shard_merge_test.cmake" || rc=$?
  cat "$1.runner" >> "$1" && rm -f "$1.runner"
  return "$rc"
}
echo "mutate: building the unmutated copy in $build"
compile "$work/build.txt" || die "the unmutated copy does not build, see $work/build.txt"
# A mutant's stage may take three times the unmutated one's, and half a minute.
began=$SECONDS
fast_stage "$work/fast.txt" 900 \
  || die "the unmutated checker fails its tests, see $work/fast.txt"
fast_limit=$((3 * (SECONDS - began) + 30)) began=$SECONDS
stage "$work/models.txt" 900 "$models" --jobs "$jobs" --json "$work/models.json" \
  || die "the unmutated checker gives a verdict not declared, see $work/models.txt"
models_limit=$((3 * (SECONDS - began) + 30))
counts "$work/models.json" > "$work/models.counts"
echo "mutate: the unmutated checker passes ($(wc -l < "$work/models.counts") checks); bugs to plant: ${#chosen[@]}"

# restore I: put back the file mutant I plants in.
restore() { cp "$top/${files[$1]}" "$src/${files[$1]}"; }

rows=() failed=0
for i in "${chosen[@]}"; do
  name=${names[i]} out=$work/${names[i]}
  rm -rf "$out" && mkdir -p "$out"
  restore "$i"
  plant "$i" "$src" 2> "$out/plant.txt" || die "mutant $name does not apply: $(cat "$out/plant.txt")"
  diff -u "$top/${files[i]}" "$src/${files[i]}" > "$out/patch.diff" || true
  echo "mutate: $name: ${plants[i]}"
  began=$SECONDS
  if ! compile "$out/build.txt"; then
    restore "$i"
    die "mutant $name does not build, see $out/build.txt"
  fi
  r_fast=0 r_models=0 r_oracle=- r_diff=-
  fast_stage "$out/fast.txt" "$fast_limit" || r_fast=$?
  stage "$out/models.txt" "$models_limit" "$models" --jobs "$jobs" --json "$out/models.json" || r_models=$?
  changed=-
  if [[ -s $out/models.json ]]; then
    changed=$(counts "$out/models.json" | comm -13 "$work/models.counts" - | wc -l)
  fi
  if ((r_fast == 0 && r_models == 0)); then
    r_oracle=0 r_diff=0
    stage "$out/oracle.txt" 900 "$tests" oracle_test & p1=$!
    stage "$out/differential.txt" 900 "$tests" differential_test & p2=$!
    wait "$p1" || r_oracle=$?
    wait "$p2" || r_diff=$?
  fi
  restore "$i"

  caught=0
  for r in "$r_fast" "$r_models" "$r_oracle" "$r_diff"; do [[ $r != 0 && $r != - ]] && caught=1; done
  if [[ -n ${survives[i]} ]]; then
    if ((caught)); then result="FAIL: caught, but declared a survivor: update mutants.txt"; failed=1
    else result="survives, as declared"; fi
  elif ((!caught)); then result="FAIL: SURVIVES every test"; failed=1
  elif [[ ${caught_by[i]} == models && $r_models == 0 ]]; then
    result="FAIL: every verdict of weave_models stays as declared"; failed=1
  else result=caught; fi
  deep=-
  [[ $r_oracle != - ]] && deep="$(verdict "$r_oracle")/$(verdict "$r_diff")"
  rows+=("$(printf '%-30s %-14s %-14s %-7s %-22s %5s  %s' "$name" "$(verdict "$r_fast")" \
            "$(verdict "$r_models")" "$changed" "$deep" "$((SECONDS - began))" "$result")")
  echo "mutate: $name: $result"
done

echo
printf '%-30s %-14s %-14s %-7s %-22s %5s  %s\n' mutant fast models counts "oracle/differential" s result
printf '%s\n' "${rows[@]}"
echo
echo "(counts: checks of weave_models whose executions changed; s: seconds, build included;"
echo " output in $work/NAME/)"
exit "$failed"
