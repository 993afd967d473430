//! A SysV shared-memory segment for MIT-SHM: the only `unsafe` code in the crate.
#![allow(unsafe_code)]

use std::io;
use std::ptr::NonNull;

/// A private SysV segment attached to this process.
///
/// The segment is created `0600` (only our user, and root, may attach it) and
/// must be [marked for removal](Self::mark_for_removal) as soon as the X
/// server has attached it too: the kernel then frees it when the last of the
/// two detaches, even if we crash. `Drop` detaches it here (and marks it if
/// that had not happened yet).
#[derive(Debug)]
pub(super) struct Segment {
    id: libc::c_int,
    addr: NonNull<u8>,
    len: usize,
    removed: bool,
}

// SAFETY: `Segment` owns its mapping exclusively (like a `Box<[u8]>`); the raw
// pointer is only what keeps it from being `Send` automatically. Nothing in it
// is tied to the creating thread.
unsafe impl Send for Segment {}

impl Segment {
    pub(super) fn create(len: usize) -> io::Result<Self> {
        // SAFETY: plain system call with no pointers; the result is checked.
        let id = unsafe { libc::shmget(libc::IPC_PRIVATE, len, libc::IPC_CREAT | 0o600) };
        if id < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `id` is the segment just created; a null address lets the
        // kernel choose where to map it. The result is checked below.
        let addr = unsafe { libc::shmat(id, std::ptr::null(), 0) };
        // shmat reports failure as (void *) -1.
        if addr.addr() == usize::MAX {
            let error = io::Error::last_os_error();
            // SAFETY: removes the segment we created and failed to attach; no
            // pointer is passed.
            unsafe { libc::shmctl(id, libc::IPC_RMID, std::ptr::null_mut()) };
            return Err(error);
        }
        let Some(addr) = NonNull::new(addr.cast::<u8>()) else {
            return Err(io::Error::other("shmat returned a null address"));
        };
        Ok(Self {
            id,
            addr,
            len,
            removed: false,
        })
    }

    /// The id the X server attaches with `ShmAttach`.
    pub(super) fn id(&self) -> u32 {
        // shmget never returns a negative id on success.
        self.id.unsigned_abs()
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Lets the kernel free the segment once every process has detached it.
    /// Call it right after the X server has attached.
    pub(super) fn mark_for_removal(&mut self) -> io::Result<()> {
        if self.removed {
            return Ok(());
        }
        // SAFETY: `self.id` is our segment; IPC_RMID takes no buffer.
        if unsafe { libc::shmctl(self.id, libc::IPC_RMID, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        self.removed = true;
        Ok(())
    }

    /// The segment's bytes.
    ///
    /// The X server writes into the segment only while it processes a
    /// `ShmGetImage` we sent, and we read only after its reply; both need
    /// `&mut` access to the capturer that owns this segment, so no write can
    /// happen while the returned slice is borrowed.
    pub(super) fn bytes(&self) -> &[u8] {
        // SAFETY: `addr` points to `len` bytes mapped by `shmat` for as long
        // as `self` lives (they are unmapped only in `Drop`); the memory is
        // initialised (new segments are zero-filled by the kernel); and per
        // the comment above nothing writes to it during the borrow.
        unsafe { std::slice::from_raw_parts(self.addr.as_ptr(), self.len) }
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // Failures cannot be reported from `drop` and would change nothing: the
        // kernel detaches at process exit, and a segment left unmarked here was
        // never attached by the server.
        // SAFETY: `addr` was returned by `shmat` and no slice borrowed from
        // `self` can outlive this call.
        unsafe { libc::shmdt(self.addr.as_ptr().cast()) };
        if !self.removed {
            // SAFETY: as in `mark_for_removal`.
            unsafe { libc::shmctl(self.id, libc::IPC_RMID, std::ptr::null_mut()) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_is_zeroed_and_removable() -> io::Result<()> {
        let mut segment = Segment::create(4096)?;
        assert_eq!(segment.len(), 4096);
        assert!(segment.bytes().iter().all(|&b| b == 0));
        segment.mark_for_removal()?;
        segment.mark_for_removal()
    }
}
