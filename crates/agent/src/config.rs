//! How the app knows where to go: the block the server appended to the
//! downloaded file (server address and single-use ticket), or the command line.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

/// Marks the block the server appends (see the server's `routes/agent.rs`).
pub const TRAILER_MAGIC: &[u8; 8] = b"TETHERv1";
const MAX_TRAILER: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// `http://host:port`, without a trailing slash.
    pub server: String,
    pub join: Join,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Join {
    /// The ticket from the download: joins the very session it came from.
    Ticket(String),
    /// A support key typed by the customer (`tether-support join <key>`).
    Key { key: String, name: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the program file {0}")]
    Read(String, #[source] std::io::Error),
    #[error(
        "the program file carries no session: download it from the chat, or run `tether-support join <key> --server <address>`"
    )]
    NoTrailer,
    #[error("the session block at the end of the program file is damaged")]
    Damaged,
}

/// Reads the session block from the end of `exe`.
pub fn from_file(exe: &Path) -> Result<Launch, ConfigError> {
    let read = |e| ConfigError::Read(exe.display().to_string(), e);
    let mut file = std::fs::File::open(exe).map_err(read)?;
    let size = file.metadata().map_err(read)?.len();
    if size < 12 {
        return Err(ConfigError::NoTrailer);
    }
    let mut tail = [0u8; 12];
    file.seek(SeekFrom::End(-12)).map_err(read)?;
    file.read_exact(&mut tail).map_err(read)?;
    if &tail[4..] != TRAILER_MAGIC {
        return Err(ConfigError::NoTrailer);
    }
    let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if len > MAX_TRAILER || len + 12 > size {
        return Err(ConfigError::Damaged);
    }
    let mut json = vec![0u8; usize::try_from(len).map_err(|_| ConfigError::Damaged)?];
    file.seek(SeekFrom::End(
        -12 - i64::try_from(len).map_err(|_| ConfigError::Damaged)?,
    ))
    .map_err(read)?;
    file.read_exact(&mut json).map_err(read)?;
    #[derive(serde::Deserialize)]
    struct Block {
        server: String,
        ticket: String,
    }
    let block: Block = serde_json::from_slice(&json).map_err(|_| ConfigError::Damaged)?;
    Ok(Launch {
        server: block.server.trim_end_matches('/').to_owned(),
        join: Join::Ticket(block.ticket),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_appended_block() {
        let dir = std::env::temp_dir().join(format!("tether-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("app");
        let json = br#"{"server":"http://127.0.0.1:9/","ticket":"tk_abc"}"#;
        let mut bytes = b"\x7fELF program bytes".to_vec();
        bytes.extend_from_slice(json);
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend_from_slice(TRAILER_MAGIC);
        std::fs::write(&path, &bytes).expect("write");
        let launch = from_file(&path).expect("reads");
        assert_eq!(launch.server, "http://127.0.0.1:9");
        assert_eq!(launch.join, Join::Ticket("tk_abc".into()));
        std::fs::write(&path, b"\x7fELF plain program").expect("write");
        assert!(matches!(from_file(&path), Err(ConfigError::NoTrailer)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
