//! Payments (R34–R37): recorded by hand, approved or refused, refunded;
//! an approved payment may confirm its booking (R19).

use super::booking::paid_for;
use super::command::Command;
use super::event::{Event, Journal};
use super::permission::Action;
use super::runner::{authorize, reused};
use super::{
    load_booking, load_business, load_client, load_payment, Agenda, Context, Paid, PaymentRequest,
    PaymentState,
};
use crate::booking::{Action as Step, BookingStatus};
use crate::business::{Business, ConfirmationMode};
use crate::error::{Error, Problem};
use crate::ids::{BookingId, PaymentId};
use crate::money::Money;
use crate::payment::Payment;
use crate::store::{Access, Outcome, UnitOfWork};
use rust_decimal::Decimal;

impl Agenda {
    /// Records a manual payment (R35). An approved payment for a pending
    /// booking confirms it when the business confirms on payment and the
    /// booking's approved payments cover its deposit, or its price when it
    /// has no deposit (R19).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the client or booking;
    /// [`Error::Invalid`] for `booking_id` of another client or `amount`
    /// not above zero or with more decimals than the currency has;
    /// [`Error::Forbidden`]
    /// but for the owner.
    pub async fn record_payment(
        &self,
        ctx: &Context,
        request: &PaymentRequest,
    ) -> Result<Paid, Error> {
        let outcome = self
            .run(ctx, &Command::RecordPayment(request.clone()))
            .await?;
        self.paid_of(ctx, outcome).await
    }

    /// Approves a pending payment; it may confirm its booking as
    /// [`Agenda::record_payment`] says.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`].
    pub async fn approve_payment(&self, ctx: &Context, payment: PaymentId) -> Result<Paid, Error> {
        let outcome = self.run(ctx, &Command::ApprovePayment { payment }).await?;
        self.paid_of(ctx, outcome).await
    }

    /// Refuses a pending payment.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`].
    pub async fn refuse_payment(
        &self,
        ctx: &Context,
        payment: PaymentId,
    ) -> Result<Payment, Error> {
        let outcome = self.run(ctx, &Command::RefusePayment { payment }).await?;
        Ok(self.paid_of(ctx, outcome).await?.payment)
    }

    /// Refunds part or all of an approved payment (R37).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::IllegalPaymentTransition`],
    /// [`Error::RefundTooLarge`]; [`Error::Invalid`] for `amount`.
    pub async fn refund(
        &self,
        ctx: &Context,
        payment: PaymentId,
        amount: Decimal,
        reason: &str,
    ) -> Result<Payment, Error> {
        let command = Command::Refund {
            payment,
            amount,
            reason: reason.to_owned(),
        };
        let outcome = self.run(ctx, &command).await?;
        Ok(self.paid_of(ctx, outcome).await?.payment)
    }

    /// A payment.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Forbidden`] for an actor who may not
    /// see payments.
    pub async fn payment(&self, ctx: &Context, id: PaymentId) -> Result<Payment, Error> {
        authorize(ctx, Action::ReadPayments)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_payment(&mut *work, id).await
    }

    /// A booking's payments, by creation.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the booking; [`Error::Forbidden`].
    pub async fn booking_payments(
        &self,
        ctx: &Context,
        booking: BookingId,
    ) -> Result<Vec<Payment>, Error> {
        authorize(ctx, Action::ReadPayments)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_booking(&mut *work, booking).await?;
        work.payments_for_booking(booking).await
    }

    async fn paid_of(&self, ctx: &Context, outcome: Outcome) -> Result<Paid, Error> {
        let Outcome::Payment(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let payment = load_payment(&mut *work, id).await?;
        let booking = match payment.booking() {
            Some(id) => Some(load_booking(&mut *work, id).await?),
            None => None,
        };
        Ok(Paid { payment, booking })
    }
}

pub(super) async fn record(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    request: &PaymentRequest,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let business = load_business(work, ctx.business).await?;
    let amount = Money::new(request.amount, business.currency()).map_err(|e| e.at("amount"))?;
    load_client(work, request.client).await?;
    if let Some(booking) = request.booking {
        let booking = load_booking(work, booking).await?;
        if booking.client() != request.client {
            return Err(Error::Invalid {
                field: "booking_id".to_owned(),
                problem: Problem::OtherClient,
            });
        }
    }
    let mut payment = Payment::new(
        PaymentId::random(),
        ctx.business,
        request.client,
        request.booking,
        request.method,
        amount,
        ctx.now,
    )?;
    journal.record(Event::PaymentRecorded {
        payment: payment.id(),
        booking: payment.booking(),
        amount: payment.amount().amount().to_string(),
    });
    if request.state == PaymentState::Approved {
        payment = payment.approve(ctx.now)?;
        journal.record(Event::PaymentApproved {
            payment: payment.id(),
        });
    }
    work.put_payment(&payment).await?;
    confirm_on_payment(work, ctx, &business, &payment, journal).await?;
    Ok(Outcome::Payment(payment.id()))
}

pub(super) async fn approve(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: PaymentId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let business = load_business(work, ctx.business).await?;
    let approved = load_payment(work, id).await?.approve(ctx.now)?;
    work.put_payment(&approved).await?;
    journal.record(Event::PaymentApproved { payment: id });
    confirm_on_payment(work, ctx, &business, &approved, journal).await?;
    Ok(Outcome::Payment(id))
}

pub(super) async fn refuse(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: PaymentId,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let refused = load_payment(work, id).await?.refuse(ctx.now)?;
    work.put_payment(&refused).await?;
    journal.record(Event::PaymentRefused { payment: id });
    Ok(Outcome::Payment(id))
}

pub(super) async fn refund(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: PaymentId,
    amount: Decimal,
    reason: &str,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let payment = load_payment(work, id).await?;
    let amount = Money::new(amount, payment.amount().currency()).map_err(|e| e.at("amount"))?;
    let refunded = payment.refund(amount, reason, ctx.now)?;
    work.put_payment(&refunded).await?;
    journal.record(Event::PaymentRefunded {
        payment: id,
        amount: amount.amount().to_string(),
    });
    Ok(Outcome::Payment(id))
}

/// Confirms the payment's pending booking when the business confirms on
/// payment and the approved payments now cover the deposit (or the price).
async fn confirm_on_payment(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    business: &Business,
    payment: &Payment,
    journal: &mut Journal,
) -> Result<(), Error> {
    let Some(id) = payment.booking() else {
        return Ok(());
    };
    if business.confirmation() == ConfirmationMode::Manual {
        return Ok(());
    }
    let booking = load_booking(work, id).await?;
    if booking.status() != BookingStatus::Pending {
        return Ok(());
    }
    let paid = paid_for(work, &booking).await?;
    let needed = if booking.deposit().is_zero() {
        booking.price()
    } else {
        booking.deposit()
    };
    if paid.checked_cmp(&needed)? != std::cmp::Ordering::Less {
        let confirmed = booking
            .apply(Step::Confirm { paid }, ctx.now)?
            .attributed(&ctx.who());
        work.update_booking(&confirmed).await?;
        journal.record(Event::BookingConfirmed { booking: id });
    }
    Ok(())
}
