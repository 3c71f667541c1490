//! Numbering events on read (migration `0012_events_numbered_on_read`).
//!
//! Writers add events unnumbered, without taking turns. Before a unit of
//! work reads a business's events, the events committed unnumbered are
//! numbered after the business's last number in the order they were
//! written, under the business's advisory lock, in a transaction of their
//! own that commits before the read: a unit of work that only reads (`BEGIN
//! READ ONLY`) cannot write them itself, and numbers given in a transaction
//! that then rolled back could be given again to other events.
//!
//! That transaction runs on a connection of its own, not the pool's: a
//! unit holding a pooled connection waiting for a second one could wait
//! forever when every connection is held that way. It runs in a spawned
//! task, so a caller that gives up midway cannot leave it half sent.

use std::sync::Arc;

use agendo_core::ids::BusinessId;
use agendo_sql::work::business_lock;
use sqlx::{Connection as _, PgConnection};

/// The name the numbering connection gives itself.
pub const NUMBERER_NAME: &str = "agendo-numberer";

/// The connection that numbers events, opened when first needed and again
/// after a failure.
pub(crate) struct Numberer {
    url: String,
    conn: tokio::sync::Mutex<Option<PgConnection>>,
}

impl Numberer {
    /// A numberer connecting to `url` (named [`NUMBERER_NAME`]).
    pub(crate) fn new(url: String) -> Numberer {
        Numberer {
            url,
            conn: tokio::sync::Mutex::new(None),
        }
    }

    /// Numbers `business`'s events committed unnumbered, committed when
    /// this returns.
    ///
    /// # Errors
    /// What the database answered, or that the task was lost.
    pub(crate) async fn number(self: &Arc<Self>, business: BusinessId) -> Result<(), sqlx::Error> {
        let this = self.clone();
        let task = tokio::spawn(async move {
            let mut slot = this.conn.lock().await;
            // A connection kept from before may have been closed by the
            // server meanwhile: then once more on a new one (numbering
            // again is harmless: only unnumbered events are numbered).
            let mut fresh = false;
            loop {
                let conn = match slot.as_mut() {
                    Some(conn) => conn,
                    None => {
                        fresh = true;
                        slot.insert(PgConnection::connect(&this.url).await?)
                    }
                };
                let done = sqlx::raw_sql(sqlx::AssertSqlSafe(numbering(business)))
                    .execute(&mut *conn)
                    .await;
                match done {
                    Ok(_) => return Ok(()),
                    Err(e) => {
                        // Its transaction may be left open: never used again.
                        *slot = None;
                        if fresh {
                            return Err(e);
                        }
                    }
                }
            }
        });
        task.await
            .map_err(|e| sqlx::Error::Protocol(format!("numbering events: {e}")))?
    }
}

/// The numbering transaction of `business`, one round trip: each
/// statement after the lock reads what was committed before it was taken.
/// A business id is a UUID, written in as one.
fn numbering(business: BusinessId) -> String {
    let lock = business_lock(business);
    format!(
        "BEGIN; \
         SELECT pg_advisory_xact_lock(hashtextextended('{lock}', 0)); \
         UPDATE events e SET number = last.n + pending.k \
         FROM (SELECT COALESCE(MAX(number), 0) AS n FROM events \
               WHERE business_id = '{business}'::uuid) last, \
              (SELECT seq, row_number() OVER (ORDER BY seq) AS k FROM events \
               WHERE business_id = '{business}'::uuid AND number IS NULL) pending \
         WHERE e.seq = pending.seq; \
         COMMIT;"
    )
}
