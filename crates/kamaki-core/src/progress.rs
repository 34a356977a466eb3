//! Progress reporting for long transfers.

use std::sync::atomic::{AtomicU64, Ordering};

/// Receives progress of a long operation (upload, download, hashing).
///
/// Libraries call it; the CLI draws bars with it. Implementations must be
/// cheap: `advance` is called for every chunk.
pub trait Progress: Send + Sync {
    /// The operation starts; `total` bytes (or items) are expected, if known.
    fn start(&self, total: Option<u64>) {
        let _ = total;
    }
    /// `n` more bytes (or items) are done.
    fn advance(&self, n: u64);
    /// The operation is over (successfully or not).
    fn finish(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn advance(&self, _n: u64) {}
}

/// Progress that counts, for tests and simple callers.
///
/// ```
/// use kamaki_core::{CountingProgress, Progress};
/// let p = CountingProgress::default();
/// p.start(Some(10));
/// p.advance(4);
/// p.advance(6);
/// assert_eq!((p.done(), p.total()), (10, Some(10)));
/// ```
#[derive(Debug, Default)]
pub struct CountingProgress {
    done: AtomicU64,
    total: AtomicU64,
    has_total: std::sync::atomic::AtomicBool,
}

impl CountingProgress {
    /// How much was reported done.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::SeqCst)
    }
    /// The total announced by `start`, if any.
    pub fn total(&self) -> Option<u64> {
        self.has_total
            .load(Ordering::SeqCst)
            .then(|| self.total.load(Ordering::SeqCst))
    }
}

impl Progress for CountingProgress {
    fn start(&self, total: Option<u64>) {
        if let Some(t) = total {
            self.total.store(t, Ordering::SeqCst);
            self.has_total.store(true, Ordering::SeqCst);
        }
    }
    fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::SeqCst);
    }
}
