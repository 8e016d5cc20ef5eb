#!/usr/bin/env bash
# A reflink-capable directory for tests and benchmarks: an XFS file system (mkfs.xfs -m reflink=1) made in a sparse
# image file and mounted by loop. Needs root (and xfsprogs, installed with apt-get when missing).
#
#   eng/reflink-dir.sh mount DIR [SIZE]    # image DIR.img of SIZE (default 3G), mounted on DIR; prints why not, exits 1
#   eng/reflink-dir.sh unmount DIR         # unmounts DIR (the loop device goes with it), removes DIR.img and the empty DIR
#
# Or sourced (as .ci/run and eng/run-benchmarks.sh do), for its functions:
#   reflink_dir_prepare IMAGE DIR SIZE     # prints why the directory could not be made, or nothing when it is mounted
#   reflink_dir_unmount IMAGE DIR          # unmounts DIR when mounted, removes IMAGE, and DIR when it is left empty

# Prints why the reflink directory could not be made, or nothing when it was made and mounted.
reflink_dir_prepare() {
  local image="$1" dir="$2" size="${3:-3G}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "not running as root"
    return
  fi
  if ! command -v mkfs.xfs >/dev/null 2>&1; then
    echo "installing xfsprogs for mkfs.xfs" >&2
    if ! apt-get install -y -q xfsprogs >/dev/null 2>&1; then
      apt-get update -q >/dev/null 2>&1 && apt-get install -y -q xfsprogs >/dev/null 2>&1 || true
    fi
    if ! command -v mkfs.xfs >/dev/null 2>&1; then
      echo "mkfs.xfs is missing and xfsprogs could not be installed"
      return
    fi
  fi
  mkdir -p "$dir" "$(dirname "$image")"
  if ! truncate -s "$size" "$image" || ! mkfs.xfs -q -f -m reflink=1 "$image" >/dev/null 2>&1; then
    echo "mkfs.xfs -m reflink=1 failed on $image"
    return
  fi
  if ! mount -o loop "$image" "$dir" 2>/dev/null; then
    echo "mounting $image by loop failed (no loop devices?)"
    return
  fi
}

# Unmounts the directory when it is mounted (lazily if busy), removes the image file, and removes the directory
# (the mount point it made) when it is empty once unmounted.
reflink_dir_unmount() {
  local image="$1" dir="$2"
  if mountpoint -q "$dir" 2>/dev/null; then
    umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || true
  fi
  rm -f "$image"
  if [[ -d "$dir" ]] && ! mountpoint -q "$dir" 2>/dev/null; then
    rmdir "$dir" 2>/dev/null || true
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  usage="usage: $0 mount DIR [SIZE] | unmount DIR"
  [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
  dir=$(realpath -m "$2")
  case "$1" in
    mount)
      if mountpoint -q "$dir" 2>/dev/null; then
        echo "$dir is already mounted" >&2
        exit 1
      fi
      problem=$(reflink_dir_prepare "$dir.img" "$dir" "${3:-3G}")
      if [[ -n "$problem" ]] || ! mountpoint -q "$dir"; then
        echo "no reflink-capable directory: ${problem:-unknown reason}" >&2
        reflink_dir_unmount "$dir.img" "$dir"
        exit 1
      fi
      echo "$dir: XFS, reflink=1, loop-mounted from $dir.img"
      ;;
    unmount)
      reflink_dir_unmount "$dir.img" "$dir"
      ;;
    *)
      echo "$usage" >&2
      exit 2
      ;;
  esac
fi
