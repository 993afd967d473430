#!/usr/bin/env bash
# Installs what `cargo xtask bench screen` needs and a fresh Debian machine
# lacks: the X server (Xvfb), the VNC servers Tether is measured against
# (x11vnc, and TigerVNC's scraping server x0vncserver), and the workloads'
# tools (xterm with its bitmap fonts, xdotool). The video workload and the
# probe window are drawn by xtask itself. Does nothing when all is there.
set -euo pipefail

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v x11vnc >/dev/null || need+=(x11vnc)
command -v X0tigervnc >/dev/null || need+=(tigervnc-scraping-server)
command -v xterm >/dev/null || need+=(xterm)
command -v xdotool >/dev/null || need+=(xdotool)
[ -d /usr/share/fonts/X11/misc ] || need+=(xfonts-base)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing packages: ${need[*]}. Install them (as root: apt-get install ${need[*]})." >&2
    exit 1
  fi
  echo "== installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
