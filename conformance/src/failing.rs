//! A store whose units of work never commit: each `commit` drops the
//! unit (rolling it back) and fails, as a database that loses its
//! connection at the last step would. For testing that a failed command
//! leaves nothing behind.

use std::sync::Arc;

use agendo_core::account::{Account, Session, Slug};
use agendo_core::agenda::{AccountToken, Event, EventRecord};
use agendo_core::booking::Booking;
use agendo_core::business::{Block, Bookable, Business, Client, Professional, Resource, Service};
use agendo_core::contact::Email;
use agendo_core::ids::{
    AccountId, BlockId, BookingId, BusinessId, ClientId, PaymentId, ProfessionalId, ReceivableId,
    ResourceId, ServiceId, SessionId,
};
use agendo_core::ids::{DeliveryId, EndpointId, MessageId};
use agendo_core::message::{
    ChannelKind, ChannelSetup, Claimed, Form, Message, MessageFilter, Outcome as Sending, Template,
    Topic,
};
use agendo_core::payment::{Payment, Receivable};
use agendo_core::picture::{Picture, Subject};
use agendo_core::store::{
    Access, BookingFilter, Held, IdempotencyKey, IdempotencyRecord, Login, Store, UnitOfWork,
};
use agendo_core::time::Span;
use agendo_core::webhook::{ClaimedHook, Endpoint, HookDelivery};
use agendo_core::Error;
use agendo_core::Lang;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// `store`, but no unit of work of it commits.
pub struct FailingCommit(pub Arc<dyn Store>);

struct FailingWork(Box<dyn UnitOfWork>);

#[async_trait]
impl Store for FailingCommit {
    async fn begin(
        &self,
        business: BusinessId,
        access: Access,
    ) -> Result<Box<dyn UnitOfWork>, Error> {
        Ok(Box::new(FailingWork(self.0.begin(business, access).await?)))
    }
    async fn business_by_slug(&self, slug: &Slug) -> Result<Option<BusinessId>, Error> {
        self.0.business_by_slug(slug).await
    }
    async fn logins(&self, email: &Email) -> Result<Vec<Login>, Error> {
        self.0.logins(email).await
    }
    async fn take_sign_in_attempt(
        &self,
        key: &str,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Option<DateTime<Utc>>, Error> {
        self.0.take_sign_in_attempt(key, at, since, limit).await
    }
    async fn release_sign_in_attempt(&self, key: &str, at: DateTime<Utc>) -> Result<(), Error> {
        self.0.release_sign_in_attempt(key, at).await
    }
    async fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, Error> {
        self.0.sign_in_failures(key, since).await
    }
    async fn clear_sign_in_failures(&self, key: &str) -> Result<(), Error> {
        self.0.clear_sign_in_failures(key).await
    }
    async fn businesses_to_gather(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        due_from: chrono::NaiveDate,
        due_until: chrono::NaiveDate,
    ) -> Result<Vec<BusinessId>, Error> {
        self.0
            .businesses_to_gather(now, until, due_from, due_until)
            .await
    }
    async fn claim_hook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ClaimedHook>, Error> {
        self.0.claim_hook_deliveries(now, lease_until, limit).await
    }
    async fn settle_hook_delivery(
        &self,
        claimed: &ClaimedHook,
        outcome: &Sending,
        status: Option<u16>,
        latency_ms: u32,
    ) -> Result<bool, Error> {
        self.0
            .settle_hook_delivery(claimed, outcome, status, latency_ms)
            .await
    }
    async fn account_token(&self, key: &str) -> Result<Option<AccountToken>, Error> {
        self.0.account_token(key).await
    }
    async fn feed(&self, key: &str) -> Result<Option<(BusinessId, ProfessionalId)>, Error> {
        self.0.feed(key).await
    }
    async fn businesses_with_secrets(&self) -> Result<Vec<BusinessId>, Error> {
        self.0.businesses_with_secrets().await
    }
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Claimed>, Error> {
        self.0.claim_messages(now, lease_until, limit).await
    }
    async fn settle_message(&self, claimed: &Claimed, outcome: &Sending) -> Result<bool, Error> {
        self.0.settle_message(claimed, outcome).await
    }
}

#[async_trait]
impl UnitOfWork for FailingWork {
    async fn business(&mut self) -> Result<Option<Business>, Error> {
        self.0.business().await
    }
    async fn business_for_update(&mut self) -> Result<Option<Business>, Error> {
        self.0.business_for_update().await
    }
    async fn put_business(&mut self, business: &Business) -> Result<(), Error> {
        self.0.put_business(business).await
    }
    async fn account(&mut self, id: AccountId) -> Result<Option<Account>, Error> {
        self.0.account(id).await
    }
    async fn accounts(&mut self) -> Result<Vec<Account>, Error> {
        self.0.accounts().await
    }
    async fn put_account(&mut self, account: &Account) -> Result<(), Error> {
        self.0.put_account(account).await
    }
    async fn session(&mut self, id: SessionId) -> Result<Option<Session>, Error> {
        self.0.session(id).await
    }
    async fn put_session(&mut self, session: &Session) -> Result<(), Error> {
        self.0.put_session(session).await
    }
    async fn service(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        self.0.service(id).await
    }
    async fn service_for_update(&mut self, id: ServiceId) -> Result<Option<Service>, Error> {
        self.0.service_for_update(id).await
    }
    async fn services(&mut self) -> Result<Vec<Service>, Error> {
        self.0.services().await
    }
    async fn put_service(&mut self, service: &Service) -> Result<(), Error> {
        self.0.put_service(service).await
    }
    async fn professional(&mut self, id: ProfessionalId) -> Result<Option<Professional>, Error> {
        self.0.professional(id).await
    }
    async fn professional_for_update(
        &mut self,
        id: ProfessionalId,
    ) -> Result<Option<Professional>, Error> {
        self.0.professional_for_update(id).await
    }
    async fn professionals(&mut self) -> Result<Vec<Professional>, Error> {
        self.0.professionals().await
    }
    async fn put_professional(&mut self, professional: &Professional) -> Result<(), Error> {
        self.0.put_professional(professional).await
    }
    async fn resource(&mut self, id: ResourceId) -> Result<Option<Resource>, Error> {
        self.0.resource(id).await
    }
    async fn resources(&mut self) -> Result<Vec<Resource>, Error> {
        self.0.resources().await
    }
    async fn put_resource(&mut self, resource: &Resource) -> Result<(), Error> {
        self.0.put_resource(resource).await
    }
    async fn client(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        self.0.client(id).await
    }
    async fn client_for_update(&mut self, id: ClientId) -> Result<Option<Client>, Error> {
        self.0.client_for_update(id).await
    }
    async fn clients(&mut self) -> Result<Vec<Client>, Error> {
        self.0.clients().await
    }
    async fn put_client(&mut self, client: &Client) -> Result<(), Error> {
        self.0.put_client(client).await
    }
    async fn blocks_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Block>, Error> {
        self.0.blocks_meeting(on, span).await
    }
    async fn block(&mut self, id: BlockId) -> Result<Option<Block>, Error> {
        self.0.block(id).await
    }
    async fn put_block(&mut self, block: &Block) -> Result<(), Error> {
        self.0.put_block(block).await
    }
    async fn delete_block(&mut self, id: BlockId) -> Result<bool, Error> {
        self.0.delete_block(id).await
    }
    async fn booking(&mut self, id: BookingId) -> Result<Option<Booking>, Error> {
        self.0.booking(id).await
    }
    async fn bookings_meeting(&mut self, on: Bookable, span: Span) -> Result<Vec<Booking>, Error> {
        self.0.bookings_meeting(on, span).await
    }
    async fn blocks_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Block>, Error> {
        self.0.blocks_meeting_any(on, span).await
    }
    async fn held_any(&mut self, on: &[Bookable], span: Span) -> Result<Vec<Held>, Error> {
        self.0.held_any(on, span).await
    }
    async fn bookings_meeting_any(
        &mut self,
        on: &[Bookable],
        span: Span,
    ) -> Result<Vec<Booking>, Error> {
        self.0.bookings_meeting_any(on, span).await
    }
    async fn bookings(&mut self, filter: &BookingFilter) -> Result<Vec<Booking>, Error> {
        self.0.bookings(filter).await
    }
    async fn insert_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        self.0.insert_booking(booking).await
    }
    async fn update_booking(&mut self, booking: &Booking) -> Result<(), Error> {
        self.0.update_booking(booking).await
    }
    async fn payment(&mut self, id: PaymentId) -> Result<Option<Payment>, Error> {
        self.0.payment(id).await
    }
    async fn payments_for_booking(&mut self, booking: BookingId) -> Result<Vec<Payment>, Error> {
        self.0.payments_for_booking(booking).await
    }
    async fn payments_for_client(&mut self, client: ClientId) -> Result<Vec<Payment>, Error> {
        self.0.payments_for_client(client).await
    }
    async fn put_payment(&mut self, payment: &Payment) -> Result<(), Error> {
        self.0.put_payment(payment).await
    }
    async fn receivable(&mut self, id: ReceivableId) -> Result<Option<Receivable>, Error> {
        self.0.receivable(id).await
    }
    async fn receivables(&mut self) -> Result<Vec<Receivable>, Error> {
        self.0.receivables().await
    }
    async fn put_receivable(&mut self, receivable: &Receivable) -> Result<(), Error> {
        self.0.put_receivable(receivable).await
    }
    async fn payments(&mut self) -> Result<Vec<Payment>, Error> {
        self.0.payments().await
    }
    async fn picture(&mut self, subject: Subject) -> Result<Option<Picture>, Error> {
        self.0.picture(subject).await
    }
    async fn put_picture(&mut self, subject: Subject, picture: &Picture) -> Result<(), Error> {
        self.0.put_picture(subject, picture).await
    }
    async fn delete_picture(&mut self, subject: Subject) -> Result<bool, Error> {
        self.0.delete_picture(subject).await
    }
    async fn idempotency(
        &mut self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Error> {
        self.0.idempotency(key).await
    }
    async fn put_idempotency(&mut self, record: &IdempotencyRecord) -> Result<(), Error> {
        self.0.put_idempotency(record).await
    }
    async fn append_events(&mut self, at: DateTime<Utc>, events: &[Event]) -> Result<(), Error> {
        self.0.append_events(at, events).await
    }
    async fn events_after(&mut self, after: u64, limit: usize) -> Result<Vec<EventRecord>, Error> {
        self.0.events_after(after, limit).await
    }
    async fn gathered(&mut self) -> Result<u64, Error> {
        self.0.gathered().await
    }
    async fn set_gathered(&mut self, number: u64) -> Result<(), Error> {
        self.0.set_gathered(number).await
    }
    async fn known_messages(&mut self, ids: &[MessageId]) -> Result<Vec<MessageId>, Error> {
        self.0.known_messages(ids).await
    }
    async fn queue_messages(&mut self, messages: &[Message]) -> Result<usize, Error> {
        self.0.queue_messages(messages).await
    }
    async fn message(&mut self, id: MessageId) -> Result<Option<Message>, Error> {
        self.0.message(id).await
    }
    async fn messages(&mut self, filter: &MessageFilter) -> Result<Vec<Message>, Error> {
        self.0.messages(filter).await
    }
    async fn mark_read(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        self.0.mark_read(id, at).await
    }
    async fn revive_message(&mut self, id: MessageId, at: DateTime<Utc>) -> Result<bool, Error> {
        self.0.revive_message(id, at).await
    }
    async fn templates(&mut self) -> Result<Vec<Template>, Error> {
        self.0.templates().await
    }
    async fn put_template(&mut self, template: &Template) -> Result<(), Error> {
        self.0.put_template(template).await
    }
    async fn put_account_token(&mut self, token: &AccountToken) -> Result<(), Error> {
        self.0.put_account_token(token).await
    }
    async fn use_account_token(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, Error> {
        self.0.use_account_token(key, at).await
    }
    async fn revoke_sessions(
        &mut self,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> Result<usize, Error> {
        self.0.revoke_sessions(account, at).await
    }
    async fn put_feed(&mut self, professional: ProfessionalId, key: &str) -> Result<(), Error> {
        self.0.put_feed(professional, key).await
    }
    async fn endpoints(&mut self) -> Result<Vec<Endpoint>, Error> {
        self.0.endpoints().await
    }
    async fn put_endpoint(&mut self, endpoint: &Endpoint) -> Result<(), Error> {
        self.0.put_endpoint(endpoint).await
    }
    async fn delete_endpoint(&mut self, id: EndpointId) -> Result<bool, Error> {
        self.0.delete_endpoint(id).await
    }
    async fn queue_hook_deliveries(&mut self, deliveries: &[HookDelivery]) -> Result<usize, Error> {
        self.0.queue_hook_deliveries(deliveries).await
    }
    async fn hook_deliveries(&mut self, endpoint: EndpointId) -> Result<Vec<HookDelivery>, Error> {
        self.0.hook_deliveries(endpoint).await
    }
    async fn hook_delivery(&mut self, id: DeliveryId) -> Result<Option<HookDelivery>, Error> {
        self.0.hook_delivery(id).await
    }
    async fn replay_hook_delivery(
        &mut self,
        id: DeliveryId,
        at: DateTime<Utc>,
    ) -> Result<bool, Error> {
        self.0.replay_hook_delivery(id, at).await
    }
    async fn channel_setups(&mut self) -> Result<Vec<ChannelSetup>, Error> {
        self.0.channel_setups().await
    }
    async fn put_channel_setup(&mut self, setup: &ChannelSetup) -> Result<(), Error> {
        self.0.put_channel_setup(setup).await
    }
    async fn delete_channel_setup(&mut self, kind: ChannelKind) -> Result<bool, Error> {
        self.0.delete_channel_setup(kind).await
    }
    async fn delete_template(
        &mut self,
        topic: Topic,
        form: Form,
        lang: Lang,
    ) -> Result<bool, Error> {
        self.0.delete_template(topic, form, lang).await
    }
    async fn commit(self: Box<Self>) -> Result<(), Error> {
        drop(self);
        Err(Error::Storage {
            detail: "the connection was lost before the commit".to_owned(),
        })
    }
}
