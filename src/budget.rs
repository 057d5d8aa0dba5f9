//! How much memory images may take while they are decoded and resized, all uploads together
//! (`BANTIN_MEDIA_MEMORY_MB`). Each upload reserves what its header says it will need
//! ([`super::imaging::Header::memory_needed`]) before its file is read into memory, and waits
//! while the reservations of others leave too little: big images wait for each other instead
//! of all decoding at once. One that needs more than the whole budget is refused.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MIB: u64 = 1024 * 1024;

/// Megabytes (MiB) to hold `bytes`, at least one.
fn mib(bytes: u64) -> u32 {
    bytes.div_ceil(MIB).clamp(1, u64::from(u32::MAX)) as u32
}

/// A process-wide amount of memory, handed out in MiB.
pub struct MemoryBudget {
    permits: Arc<Semaphore>,
    total_mib: u32,
}

/// More than the whole budget was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    pub needed_mib: u32,
    pub budget_mib: u32,
}

/// Memory reserved until dropped.
#[derive(Debug)]
pub struct Reservation {
    permit: OwnedSemaphorePermit,
}

impl MemoryBudget {
    pub fn new(total_mib: u32) -> Self {
        let total_mib = total_mib.max(1);
        MemoryBudget {
            permits: Arc::new(Semaphore::new(total_mib as usize)),
            total_mib,
        }
    }

    /// Waits until `bytes` are free, first come first served, and reserves them; refuses at
    /// once what the whole budget could not hold.
    pub async fn reserve(&self, bytes: u64) -> Result<Reservation, OverBudget> {
        let needed_mib = mib(bytes);
        let over = OverBudget {
            needed_mib,
            budget_mib: self.total_mib,
        };
        if needed_mib > self.total_mib {
            return Err(over);
        }
        // The semaphore is never closed.
        let permit = self
            .permits
            .clone()
            .acquire_many_owned(needed_mib)
            .await
            .map_err(|_| over)?;
        Ok(Reservation { permit })
    }
}

impl Reservation {
    /// Keeps only what `bytes` need and frees the rest for others.
    pub fn shrink_to(&mut self, bytes: u64) {
        let keep = mib(bytes) as usize;
        let extra = self.permit.num_permits().saturating_sub(keep);
        drop(self.permit.split(extra));
    }

    pub fn mib(&self) -> usize {
        self.permit.num_permits()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn big_images_wait_for_each_other() {
        let budget = MemoryBudget::new(100);
        let first = budget.reserve(60 * MIB).await.unwrap();
        let small = budget.reserve(30 * MIB).now_or_never().unwrap().unwrap();
        // Two 60 MB images do not fit together: the second waits for the first, and those
        // after it wait their turn (no big image waits for ever behind small ones).
        let mut second = Box::pin(budget.reserve(60 * MIB));
        assert!((&mut second).now_or_never().is_none());
        assert!(budget.reserve(MIB).now_or_never().is_none());
        drop(first);
        let second = second.now_or_never().expect("free again").unwrap();
        assert_eq!(second.mib() + small.mib(), 90);
    }

    #[tokio::test]
    async fn what_the_budget_cannot_hold_is_refused_and_what_is_kept_can_shrink() {
        let budget = MemoryBudget::new(100);
        assert_eq!(
            budget.reserve(100 * MIB + 1).await.unwrap_err(),
            OverBudget {
                needed_mib: 101,
                budget_mib: 100
            }
        );
        let mut first = budget.reserve(100 * MIB).await.unwrap();
        assert!(budget.reserve(1).now_or_never().is_none());
        // Processed: only its files are kept while they are stored.
        first.shrink_to(3 * MIB + 5);
        assert_eq!(first.mib(), 4);
        let rest = budget.reserve(96 * MIB).now_or_never().unwrap().unwrap();
        assert_eq!(rest.mib(), 96);
    }
}
