//! The VNC servers Tether is measured against, run as Debian ships them on
//! the benchmark's display: x11vnc and TigerVNC's scraping server
//! (`X0tigervnc`, what the `x0vncserver` wrapper starts), each with its
//! defaults except: no password, loopback only, a port of our choosing.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use super::children::{Guarded, free_port, wait_for_port};
use super::display::Display;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Peer {
    X11vnc,
    Tigervnc,
}

impl Peer {
    pub fn name(self) -> &'static str {
        match self {
            Peer::X11vnc => "x11vnc",
            Peer::Tigervnc => "tigervnc",
        }
    }
}

/// A running VNC server; dropping it stops it.
#[derive(Debug)]
pub struct PeerServer {
    pub address: SocketAddr,
    pub process: Guarded,
}

impl PeerServer {
    pub fn start(peer: Peer, display: &Display, log_dir: &Path) -> anyhow::Result<PeerServer> {
        let port = free_port()?;
        let command = match peer {
            Peer::X11vnc => {
                let mut c = display.command("x11vnc");
                c.args(["-display", &display.name, "-rfbport", &port.to_string()])
                    .args([
                        "-localhost",
                        "-nopw",
                        "-forever",
                        "-shared",
                        "-noipv6",
                        "-norc",
                    ]);
                c
            }
            Peer::Tigervnc => {
                // The `x0vncserver` wrapper would fork it into the background.
                let mut c = display.command("X0tigervnc");
                c.args(["-display", &display.name, "-rfbport", &port.to_string()])
                    .args([
                        "-SecurityTypes",
                        "None",
                        "-localhost",
                        "-interface",
                        "127.0.0.1",
                    ])
                    .arg("-AlwaysShared");
                c
            }
        };
        let mut process = Guarded::spawn(peer.name(), command, log_dir, false)?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        wait_for_port(address, &mut process, Duration::from_secs(20))?;
        Ok(PeerServer { address, process })
    }
}
