//! Working hours and blocks (R15, R16): when a professional works, and the
//! time taken out of it.

use super::command::{BlockFields, Command};
use super::event::{Event, Journal};
use super::permission::{own_time, Action, Grant};
use super::runner::reused;
use super::{hold_professional, load_business, load_professional, load_resource, Agenda, Context};
use crate::availability::HoursQuery;
use crate::business::{Block, Bookable, Professional};
use crate::error::{Error, RecordKind};
use crate::ids::{BlockId, ProfessionalId};
use crate::store::{Access, Outcome, UnitOfWork};
use crate::time::Span;

impl Agenda {
    /// Replaces a professional's working hours.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the window (`hours.weekly.tue[0]`);
    /// [`Error::NotFound`]; [`Error::Forbidden`] for another
    /// professional's hours.
    pub async fn set_hours(
        &self,
        ctx: &Context,
        professional: ProfessionalId,
        hours: &HoursQuery,
    ) -> Result<Professional, Error> {
        let command = Command::SetHours {
            professional,
            hours: hours.clone(),
        };
        let Outcome::Professional(id) = self.run(ctx, &command).await? else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_professional(&mut *work, id).await
    }

    /// Blocks time. Bookings already in the blocked time stay: the
    /// business decides what to do with them.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business, or the professional or
    /// resource blocked; [`Error::Invalid`] for `end` not after `start` or
    /// `reason`; [`Error::Forbidden`] for another professional's time.
    pub async fn add_block(&self, ctx: &Context, fields: &BlockFields) -> Result<Block, Error> {
        let Outcome::Block(id) = self.run(ctx, &Command::AddBlock(fields.clone())).await? else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.block(id).await?.ok_or_else(|| Error::NotFound {
            record: RecordKind::Block,
            id: id.to_string(),
        })
    }

    /// Removes a block of `on`'s time.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `on` has no such block;
    /// [`Error::Forbidden`] for another professional's time.
    pub async fn remove_block(
        &self,
        ctx: &Context,
        on: Bookable,
        block: BlockId,
    ) -> Result<(), Error> {
        self.run(ctx, &Command::RemoveBlock { on, block })
            .await
            .map(drop)
    }
}

pub(super) async fn set_hours(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    id: ProfessionalId,
    hours: &HoursQuery,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = hold_professional(work, id).await?;
    own_time(ctx, scope, Action::EditHours, Bookable::Professional(id))?;
    let hours = hours.to_hours().map_err(|e| e.under("hours"))?;
    work.put_professional(&current.with_hours(hours)).await?;
    journal.record(Event::HoursChanged { professional: id });
    Ok(Outcome::Professional(id))
}

pub(super) async fn add_block(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    fields: &BlockFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    match fields.on {
        Bookable::Professional(id) => drop(load_professional(work, id).await?),
        Bookable::Resource(id) => drop(load_resource(work, id).await?),
    }
    own_time(ctx, scope, Action::EditHours, fields.on)?;
    let span = Span::new(fields.start, fields.end).map_err(|e| e.at("end"))?;
    let block = Block::new(
        BlockId::random(),
        ctx.business,
        fields.on,
        span,
        &fields.reason,
    )?;
    work.put_block(&block).await?;
    journal.record(Event::BlockAdded {
        block: block.id(),
        start: span.start(),
        end: span.end(),
    });
    Ok(Outcome::Block(block.id()))
}

pub(super) async fn remove_block(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    scope: Grant,
    on: Bookable,
    block: BlockId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    match on {
        Bookable::Professional(id) => drop(load_professional(work, id).await?),
        Bookable::Resource(id) => drop(load_resource(work, id).await?),
    }
    own_time(ctx, scope, Action::EditHours, on)?;
    // Another's block is not found either, as on HTTP's path.
    if work.block(block).await?.is_none_or(|b| b.on() != on) || !work.delete_block(block).await? {
        return Err(Error::NotFound {
            record: RecordKind::Block,
            id: block.to_string(),
        });
    }
    journal.record(Event::BlockRemoved { block });
    Ok(Outcome::Block(block))
}
