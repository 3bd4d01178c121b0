#!/usr/bin/env bash
# Copies a 512 MiB file to new files, 5 times, on loop-mounted XFS (reflink=1) and btrfs images:
# ZeroCopy.transfer(Path, Path) and Files.copy on each JDK given, and cp --reflink=always.
# Needs root, mkfs.xfs (xfsprogs) and mkfs.btrfs (btrfs-progs). Removes its mounts and images,
# also on failure. Usage, from the repository root after building the bench jar:
#   zerocopy-bench/scripts/file-copies.sh JAVA [JAVA...]
set -euo pipefail
jar="$(cd "$(dirname "$0")/.." && pwd)/target/zerocopy-bench.jar"
[[ -f "$jar" ]] || { echo "build first: mvn -q -B -pl zerocopy-bench -am package -DskipTests" >&2; exit 1; }
(( $# > 0 )) || set -- java
work=$(mktemp -d)
cleanup() { for m in "$work"/mnt-*; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_bytes() { sync -f "$1"; echo $(( $(stat -f -c '%a' "$1") * $(stat -f -c '%S' "$1") )); }
for fs in xfs btrfs; do
  img="$work/$fs.img"; mnt="$work/mnt-$fs"
  truncate -s 4G "$img"; mkdir -p "$mnt"
  if [[ $fs == xfs ]]; then mkfs.xfs -q -m reflink=1 "$img"; else mkfs.btrfs -q "$img" >/dev/null; fi
  mount -o loop "$img" "$mnt"
  head -c $((512 << 20)) /dev/urandom > "$mnt/src"; sync -f "$mnt"
  echo "== $fs"
  for java in "$@"; do
    for mode in zerocopy files; do
      "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.zerocopy.bench.timing.FileCopies "$mode" "$mnt/src" 5 \
          2>/dev/null || "$java" -cp "$jar" io.zerocopy.bench.timing.FileCopies "$mode" "$mnt/src" 5
      rm -f "$mnt"/"$mode"-copy-*; sync -f "$mnt"
    done
  done
  before=$(free_bytes "$mnt"); ts=()
  for i in 1 2 3 4 5; do
    t0=$(date +%s%N); cp --reflink=always "$mnt/src" "$mnt/cp$i"; t1=$(date +%s%N); ts+=($(( (t1 - t0) / 1000 )))
  done
  after=$(free_bytes "$mnt")
  echo "cp --reflink=always: us per copy: ${ts[*]}; median $(printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p) us (process start included); new space $(( (before - after) / 1024 )) KiB"
  umount "$mnt"
done
