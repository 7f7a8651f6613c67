#!/bin/sh
# Regenerates echarts.min.js, LICENSE, NOTICE and LICENSE-d3 from the npm package `echarts`.
#
# Usage: sh src/render/page/vendor/echarts/update.sh [VERSION]     (default 5.6.0)
#
# Needs npm (or curl) and tar. After a new version, set ECHARTS_VERSION in
# src/render/assets.rs (the file is served as /assets/echarts-VERSION.min.js, so that a new
# version is a new URL and browsers may cache each one for good) and the version in README.md.
set -eu
VERSION="${1:-5.6.0}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
if command -v npm >/dev/null 2>&1; then
    npm pack --silent "echarts@$VERSION" >/dev/null
else
    curl -fsSLO "https://registry.npmjs.org/echarts/-/echarts-$VERSION.tgz"
fi
tar xzf "echarts-$VERSION.tgz"
cp package/dist/echarts.min.js "$HERE/echarts.min.js"
cp package/LICENSE "$HERE/LICENSE"
cp package/NOTICE "$HERE/NOTICE"
cp package/licenses/LICENSE-d3 "$HERE/LICENSE-d3"
echo "echarts $VERSION: $(wc -c < "$HERE/echarts.min.js") bytes"
