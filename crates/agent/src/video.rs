//! The video coder's thread: codes the capture loop's video pictures apart
//! ([`codec::EncoderConfig::video_apart`]), so that H.264 coding — 10–20 ms
//! a 720p picture on a busy 2-core machine — never holds up the rest of the
//! screen: a click's answer next to a playing video goes out with the next
//! capture, not after the video picture.
//!
//! At most one picture is on its way: the encoder holds pictures back while
//! the thread is busy. A picture reaches the connection only under the grant
//! it was captured under, like every other update.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crate::screen::{Outbox, ShareControl};
use codec::{EncoderConfig, VideoCoder, VideoJob};

#[derive(Debug, Default)]
struct Work {
    /// A picture is being coded or sent.
    busy: bool,
    /// The stream of the latest picture handed over.
    stream: Option<u64>,
}

#[derive(Debug)]
pub struct VideoThread {
    jobs: Option<SyncSender<(u64, VideoJob)>>,
    work: Arc<(Mutex<Work>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl VideoThread {
    pub fn start(
        config: EncoderConfig,
        control: Arc<ShareControl>,
        out: Arc<Outbox>,
    ) -> std::io::Result<VideoThread> {
        let (jobs, rx) = sync_channel(1);
        let work = Arc::new((Mutex::new(Work::default()), Condvar::new()));
        let shared = work.clone();
        let thread = std::thread::Builder::new()
            .name("video".into())
            .spawn(move || code_pictures(&config, &rx, &control, &out, &shared))?;
        Ok(VideoThread {
            jobs: Some(jobs),
            work,
            thread: Some(thread),
        })
    }

    pub fn busy(&self) -> bool {
        self.lock().busy
    }

    /// Hands a picture captured under `epoch` over. The caller made sure the
    /// thread is not busy (the encoder holds pictures back otherwise).
    pub fn submit(&self, epoch: u64, job: VideoJob) {
        {
            let mut work = self.lock();
            work.busy = true;
            work.stream = Some(job.stream());
        }
        if let Some(jobs) = &self.jobs
            && jobs.send((epoch, job)).is_err()
        {
            tracing::error!("the video thread is gone; video pictures are not sent");
            self.lock().busy = false;
        }
    }

    /// Returns once no picture of a stream other than `stream` is on its way:
    /// a message encoded after the stream ended may cover its area
    /// losslessly, and must not be overwritten by a late picture.
    pub fn settle(&self, stream: u64) {
        let (lock, done) = &*self.work;
        let mut work = lock.lock().unwrap_or_else(|p| p.into_inner());
        while work.busy && work.stream != Some(stream) {
            work = done.wait(work).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Work> {
        self.work.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for VideoThread {
    fn drop(&mut self) {
        // Closing the channel ends the thread after its current picture.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn code_pictures(
    config: &EncoderConfig,
    jobs: &Receiver<(u64, VideoJob)>,
    control: &ShareControl,
    out: &Outbox,
    work: &(Mutex<Work>, Condvar),
) {
    let mut coder = VideoCoder::new(config);
    while let Ok((epoch, job)) = jobs.recv() {
        match coder.code(&job) {
            // Only pictures taken under the grant that still holds leave.
            Ok(Some(bytes)) if control.epoch() == epoch => {
                // A closed connection drops the picture, as any other.
                let _ = out.send(epoch, bytes);
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot code a video picture"),
        }
        let (lock, done) = work;
        lock.lock().unwrap_or_else(|p| p.into_inner()).busy = false;
        done.notify_all();
    }
}
