#!/usr/bin/env bash
# One search split into N shards over the machines in ~/.parallel/sshloginfile
# (GNU parallel, one login per line), then merged here. Every machine needs the
# same weave_models binary at the same path (a shared file system, or copy it first).
#   usage: shards-parallel.sh N [weave_models options, e.g. --filter '^mutex_three_threads$']
set -euo pipefail
n=$1; shift
runner=${WEAVE_MODELS:-$PWD/build/model/models/weave_models}
seq 1 "$n" | parallel --sshloginfile .. --return 'shard-{}.json' --cleanup \
  "$runner" "$@" --shard "{}/$n" --json 'shard-{}.json' '>' /dev/null
"$runner" --merge shard-*.json --junit merged.xml
