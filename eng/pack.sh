#!/usr/bin/env bash
# Packs every package under src/ (the libraries, with their symbols, .snupkg) and tools/ (the .NET tool ivc) in Release
# into one folder, then checks each package: a library's .dll, XML docs, README and symbols package, a tool's README and
# tool settings, and the nuspec's description, tags, licence, readme and repository commit. .ci/run packs through it too.
#
#   eng/pack.sh [--version X] [--repository-url URL] [--output DIR] [--no-build]
#
#   --version X           the packages' version; default $IMAGEVOLUMECACHE_VERSION, else <Version> in Directory.Build.props
#   --repository-url URL  the repository (and project page) the nuspec names; default: git's `origin` remote when it is a
#                         URL (through SourceLink), else none (see docs/contributing.md#packages)
#   --output DIR          where the packages go, its packages removed first; default artifacts/packages
#   --no-build            pack what the last Release build made (as .ci/run does); then --version and --repository-url are
#                         refused, since the built assemblies carry both
#
# Prints the folder and the version packed as its last line.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

version="${IMAGEVOLUMECACHE_VERSION:-}"
repository_url=""
output="$root/artifacts/packages"
build=1

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while (( $# > 0 )); do
  case "$1" in
    --version) [[ $# -ge 2 ]] || usage; version="$2"; shift 2 ;;
    --repository-url) [[ $# -ge 2 ]] || usage; repository_url="$2"; shift 2 ;;
    --output) [[ $# -ge 2 ]] || usage; output="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage ;;
    *) echo "eng/pack.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

properties=()
if [[ -n "$version" ]]; then
  properties+=("-p:Version=$version")
fi
if [[ -n "$repository_url" ]]; then
  properties+=("-p:RepositoryUrl=$repository_url")
fi
if (( build == 0 )) && (( ${#properties[@]} > 0 )); then
  echo "eng/pack.sh: --no-build packs the assemblies as built;" \
    "give --version and --repository-url (or IMAGEVOLUMECACHE_VERSION) to a build instead" >&2
  exit 2
fi

mkdir -p "$output"
output=$(cd "$output" && pwd)
# Only packages are removed, so a mistyped --output costs no other file.
rm -f "$output"/*.nupkg "$output"/*.snupkg

# The packable projects, in a solution filter made for this run: one `dotnet pack` builds them (and only them) in
# dependency order, and a package added under src/ is packed without editing this script.
projects=(src/*/*.csproj tools/*/*.csproj)
filter_dir="$root/artifacts/obj/pack"
mkdir -p "$filter_dir"
filter="$filter_dir/packages.slnf"
python3 - "$root/ImageVolumeCache.sln" "$filter" "${projects[@]}" <<'PY'
import json, sys
solution, filter_path, projects = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(filter_path, "w") as f:
    json.dump({"solution": {"path": solution, "projects": projects}}, f, indent=2)
PY

pack_args=(-c Release -o "$output" "${properties[@]}")
if (( build == 0 )); then
  pack_args+=(--no-build)
else
  # Deterministic paths (/_/ in the PDBs) and SourceLink, as a CI build makes them.
  pack_args+=(-p:ContinuousIntegrationBuild=true)
fi
dotnet pack "$filter" "${pack_args[@]}"

python3 - "$output" "${projects[@]}" <<'PY'
import glob, os, re, sys, zipfile
from urllib.parse import urlparse
import xml.etree.ElementTree as ET

output, projects = sys.argv[1], sys.argv[2:]
problems, versions = [], set()

def child(metadata, name):
    return next((e for e in metadata if e.tag.rsplit("}", 1)[-1] == name), None)

for project in projects:
    package_id = os.path.splitext(os.path.basename(project))[0]
    # The version starts with a digit, which tells ImageVolumeCache from ImageVolumeCache.<Plugin> packages.
    pattern = re.escape(package_id) + r"\.([0-9][^/]*)(?<!\.symbols)\.nupkg"
    found = [p for p in glob.glob(os.path.join(output, package_id + ".*.nupkg")) if re.fullmatch(pattern, os.path.basename(p))]
    if len(found) != 1:
        problems.append(f"expected one {package_id} .nupkg in {output}, found {found}")
        continue
    nupkg = found[0]
    version = re.fullmatch(pattern, os.path.basename(nupkg)).group(1)
    versions.add(version)
    names = set(zipfile.ZipFile(nupkg).namelist())
    is_tool = project.startswith("tools/")
    if is_tool:
        # A .NET tool: the program and its dependencies under tools/, with the settings that name its command.
        missing = [n for n in ("README.md", "tools/net10.0/any/DotnetToolSettings.xml") if n not in names]
    else:
        missing = [n for n in ("README.md", f"lib/net10.0/{package_id}.xml", f"lib/net10.0/{package_id}.dll") if n not in names]
        if not os.path.exists(nupkg[: -len(".nupkg")] + ".snupkg"):
            missing.append("its .snupkg")
    nuspec = ET.fromstring(zipfile.ZipFile(nupkg).read(f"{package_id}.nuspec"))
    metadata = list(next(e for e in nuspec if e.tag.rsplit("}", 1)[-1] == "metadata"))
    for name in ("description", "tags", "license", "readme"):
        element = child(metadata, name)
        if element is None or not (element.text or "").strip():
            missing.append(f"<{name}> in its nuspec")
    repository = child(metadata, "repository")
    if repository is None or not repository.get("commit"):
        missing.append("<repository commit> in its nuspec")
    if missing:
        problems.append(f"{os.path.basename(nupkg)} lacks {', '.join(missing)}")
        continue
    url = repository.get("url")
    host = (urlparse(url).hostname or "") if url else ""
    if re.search(r"(^|\.)(invalid|example|test|localhost)$|(^|\.)example\.(com|net|org)$", host):
        problems.append(f"{os.path.basename(nupkg)} names a placeholder repository URL: {url}")
        continue
    url = url or "no repository URL (no origin remote and no --repository-url)"
    contents = "README.md and the tool's settings present" if is_tool else "README.md, XML docs and symbols present"
    print(f"{os.path.basename(nupkg)}: {contents}; {url} at {repository.get('commit')[:12]}")

if len(versions) > 1:
    problems.append(f"the packages have different versions: {sorted(versions)}")
for problem in problems:
    print(f"error: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"Packed {len(projects)} packages, version {versions.pop()}, into {output}")
PY
