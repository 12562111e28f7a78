#!/usr/bin/env bash
# A copy of the pristine benchmark store for one run: the files a store never changes in place
# (blobs: written to a temporary name and renamed; segments: immutable, removed by the commit
# that supersedes them) as hard links, the SQLite database copied and flushed (no write-back of
# the copy during the run). Copying all 1.5 GB per run, as before, wrote 3 GB a run and ran
# this machine's disk out of its write budget (cp at 7 MB/s, fsyncs in the runs slowed with it).
#
# usage: Benchmarks/http/fresh_copy.sh PRISTINE STORE   (STORE must not exist)
set -euo pipefail
PRISTINE=$1
STORE=$2
mkdir "$STORE"
for entry in "$PRISTINE"/* "$PRISTINE"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    case "$name" in
        blobs | index) cp -al "$entry" "$STORE/$name" ;;
        *) cp -a "$entry" "$STORE/$name" ;;
    esac
done
sync "$STORE"/index.sqlite*
