//! The records a booking's plan reads (the business, its services and its
//! professionals), kept between bookings for stores that say when they
//! change, as slot searches keep theirs: the one-step booking
//! ([`crate::store::Store::book_alone`]) then reads nothing before it
//! writes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};

use crate::business::{Business, Professional, Service};
use crate::error::Error;
use crate::ids::{BusinessId, ProfessionalId, ServiceId};
use crate::store::{Access, Store};

/// The most businesses whose records are kept.
const KEPT_BUSINESSES: usize = 1_024;

/// The longest records are kept even when the store says nothing changed
/// (a lost notification between hosts), as for slot searches.
const KEPT_FOR: TimeDelta = TimeDelta::seconds(30);

/// One business's records as read at a store version.
pub(super) struct Records {
    /// The store version they are known true at; moved forward while
    /// commits change only bookings and blocks.
    version: AtomicU64,
    read_at: DateTime<Utc>,
    pub(super) business: Business,
    pub(super) services: HashMap<ServiceId, Service>,
    pub(super) professionals: HashMap<ProfessionalId, Professional>,
}

/// The kept records of recent businesses.
#[derive(Default)]
pub(crate) struct KeptRecords {
    // A `std::sync::Mutex`: nothing is awaited while it is held.
    entries: Mutex<HashMap<BusinessId, Arc<Records>>>,
}

impl KeptRecords {
    /// `business`'s records as they stand now, read again when a commit
    /// since they were read changed one of them (or may have); `None` when
    /// the store cannot say when they change, or the business is not
    /// found.
    ///
    /// # Errors
    /// [`Error::Storage`] when they must be read and cannot be.
    pub(super) async fn records(
        &self,
        store: &dyn Store,
        business: BusinessId,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<Records>>, Error> {
        // Taken before anything is read, so a commit during the read
        // shows as a change after it.
        let Some(version) = store.version() else {
            return Ok(None);
        };
        if let Some(kept) = self.kept(business, now) {
            let at = kept.version.load(Ordering::Acquire);
            if at == version {
                return Ok(Some(kept));
            }
            if at < version && store.changed_since(at, business).is_some() {
                // Only bookings and blocks changed since.
                kept.version.fetch_max(version, Ordering::AcqRel);
                return Ok(Some(kept));
            }
        }
        let mut work = store.begin(business, Access::Read).await?;
        let Some(found) = work.business().await? else {
            return Ok(None);
        };
        let services = work.services().await?;
        let professionals = work.professionals().await?;
        drop(work);
        let records = Arc::new(Records {
            version: AtomicU64::new(version),
            read_at: now,
            business: found,
            services: services.into_iter().map(|s| (s.id(), s)).collect(),
            professionals: professionals.into_iter().map(|p| (p.id(), p)).collect(),
        });
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= KEPT_BUSINESSES {
            entries.clear();
        }
        entries.insert(business, records.clone());
        Ok(Some(records))
    }

    fn kept(&self, business: BusinessId, now: DateTime<Utc>) -> Option<Arc<Records>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&business)
            .filter(|kept| kept.read_at <= now && now - kept.read_at < KEPT_FOR)
            .cloned()
    }
}
