//! Messages through the use cases: notices gathered into the queue once,
//! whoever gathers and however often; claims leased to one worker at a
//! time; failures retried with backoff and dead with their reason; the
//! inbox, templates and their preview.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agendo_core::agenda::{Context, NoLinks, ReceivableRequest, LEASE};
use agendo_core::message::{
    ChannelKind, ChannelSetup, Channels, Delivery, Form, Message, MessageFilter, MessageStatus,
    Outcome, Reach, Retry, Template, Topic, MAX_ATTEMPTS,
};
use agendo_core::notify::Subject;
use agendo_core::page::PageRequest;
use agendo_core::store::Store;
use agendo_core::{Error, Lang};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use crate::cases::Boxed;
use crate::salon::{at, now, Salon};

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

/// A channel that must not be called: the development channel and the
/// inbox never reach the host.
struct Unreachable;

#[async_trait]
impl Channels for Unreachable {
    async fn send(&self, message: &Message, _setup: Option<&ChannelSetup>) -> Delivery {
        panic!("{} should not reach a channel", message.channel)
    }
}

/// A channel that counts and answers as told.
struct Counting {
    calls: AtomicUsize,
    answer: Delivery,
}

#[async_trait]
impl Channels for Counting {
    async fn send(&self, _message: &Message, _setup: Option<&ChannelSetup>) -> Delivery {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.answer.clone()
    }
}

async fn all(salon: &Salon, filter: MessageFilter) -> Vec<Message> {
    salon
        .agenda
        .messages_page(
            &salon.staff(),
            &filter,
            &PageRequest::read("messages", None, Some(200)).expect("page"),
        )
        .await
        .expect("messages")
        .items
}

case!(
    /// A booking gives the client a message on each channel that reaches
    /// them (recorded by the development channel when none goes out) and
    /// the professional an inbox line; gathering again queues nothing; the
    /// reminders come at their local times; the text names people, local
    /// times and money as people write them.
    notices_are_gathered_once_and_delivered,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let shop = salon.business.id();
        // Tuesday 3 March, 10:00 in São Paulo.
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        assert_eq!(agenda.businesses_to_gather(now()).await.expect("to gather"), [shop]);
        let first = agenda
            .gather(shop, now(), Reach::default(), &NoLinks)
            .await
            .expect("gather");
        assert_eq!(first.queued, 2, "the client's recorded message and Ana's inbox");
        let again = agenda
            .gather(shop, now(), Reach::default(), &NoLinks)
            .await
            .expect("gather again");
        assert_eq!(again.queued, 0);
        assert_eq!(again.events, 0, "the events were gathered");
        let messages = all(&salon, MessageFilter::default()).await;
        let dev = messages
            .iter()
            .find(|m| m.channel == ChannelKind::Dev)
            .expect("a recorded message");
        assert_eq!(dev.address, "maria@example.com");
        assert_eq!(dev.status, MessageStatus::Pending);
        assert_eq!(dev.subject, Subject::Booking(booking.id()));
        assert!(dev.title.contains("ter, 03/03 às 10:00"), "{}", dev.title);
        assert!(dev.body.contains("Maria Souza"), "{}", dev.body);
        assert!(dev.body.contains("R$ 50,00"), "{}", dev.body);
        assert!(dev.body.contains("Ana"), "{}", dev.body);
        let inbox = messages
            .iter()
            .find(|m| m.channel == ChannelKind::Inbox)
            .expect("Ana's inbox");
        assert_eq!(inbox.professional(), Some(salon.ana.id()));
        assert_eq!(inbox.status, MessageStatus::Sent);

        // The development channel records without calling the host.
        let claimed = agenda.claim_messages(now(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].message.attempts, 1);
        let outcome = agenda
            .deliver(&Unreachable, &claimed[0], &now, 0)
            .await
            .expect("deliver");
        assert!(matches!(outcome, Outcome::Sent { .. }));
        assert!(agenda.claim_messages(now(), 10).await.expect("claim").is_empty());

        // Monday 18:00 local: the day-before reminder; 09:00 Tuesday, an
        // hour before: the second one. Each once.
        for (when, kind) in [
            ("2026-03-02T21:00:00Z", Topic::ReminderDayBefore),
            ("2026-03-03T12:00:00Z", Topic::ReminderShortlyBefore),
        ] {
            // Nothing new happened: the reminder due is what finds the shop.
            assert_eq!(
                agenda.businesses_to_gather(at(when)).await.expect("to gather"),
                [shop],
                "{when}"
            );
            let gathered = agenda
                .gather(shop, at(when), Reach::default(), &NoLinks)
                .await
                .expect("gather");
            assert_eq!(gathered.queued, 1, "{when}");
            let again = agenda
                .gather(shop, at(when), Reach::default(), &NoLinks)
                .await
                .expect("gather");
            assert_eq!(again.queued, 0, "{when}");
            let reminders = all(
                &salon,
                MessageFilter {
                    status: Some(MessageStatus::Pending),
                    ..MessageFilter::default()
                },
            )
            .await;
            assert!(reminders.iter().any(|m| m.topic == kind), "{kind}");
        }
        // A week later nothing is due and nothing new happened.
        assert!(agenda
            .businesses_to_gather(at("2026-03-10T12:00:00Z"))
            .await
            .expect("to gather")
            .is_empty());

        // With e-mail and WhatsApp going out, João (no contact) gets
        // nothing, Maria one of each.
        let reach = Reach {
            email: true,
            whatsapp: true,
            sms: true,
        };
        salon.book(&salon.bia, &salon.joao, "2026-03-03T14:00:00Z").await;
        salon.book(&salon.bia, &salon.maria, "2026-03-04T14:00:00Z").await;
        let gathered = agenda
            .gather(shop, now(), reach, &NoLinks)
            .await
            .expect("gather");
        assert_eq!(gathered.queued, 4, "Maria: e-mail and WhatsApp; Bia: two inbox lines");
        let whatsapp = all(
            &salon,
            MessageFilter {
                channel: Some(ChannelKind::Whatsapp),
                ..MessageFilter::default()
            },
        )
        .await;
        assert_eq!(whatsapp.len(), 1);
        assert_eq!(whatsapp[0].address, "+5511988887777");
        assert_eq!(whatsapp[0].title, "", "a text has no title");
        assert_eq!(whatsapp[0].values["when"], "qua, 04/03 às 11:00");

        // Bia reads her inbox: her two lines, newest first; marks one read.
        let bia = Context::new(
            shop,
            now(),
            agendo_core::agenda::Actor::Professional(salon.bia.id()),
        );
        let page = PageRequest::read("inbox", None, None).expect("page");
        let lines = agenda.inbox(&bia, None, false, &page).await.expect("inbox");
        assert_eq!(lines.items.len(), 2);
        assert!(lines.items.iter().all(|m| m.professional() == Some(salon.bia.id())));
        let read = agenda
            .mark_read(&bia, lines.items[0].id)
            .await
            .expect("read");
        assert_eq!(read.read_at, Some(now()));
        let unread = agenda.inbox(&bia, None, true, &page).await.expect("inbox");
        assert_eq!(unread.items.len(), 1);
        // Ana's line is not Bia's to mark.
        let err = agenda.mark_read(&bia, inbox.id).await.unwrap_err();
        assert_eq!(err.code(), "not_found");
        // A professional does not read the business's messages.
        assert_eq!(
            agenda
                .messages_page(&bia, &MessageFilter::default(), &page)
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
    }
);

case!(
    /// A message that keeps failing is tried with growing waits, then dead
    /// with its reason; it is sent again only by hand, from zero attempts;
    /// a refusal is dead at once.
    failed_messages_back_off_and_die_with_their_reason,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let shop = salon.business.id();
        salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        let email = Reach {
            email: true,
            ..Reach::default()
        };
        agenda.gather(shop, now(), email, &NoLinks).await.expect("gather");
        let down = Counting {
            calls: AtomicUsize::new(0),
            answer: Delivery::Failed {
                reason: "connection refused".into(),
                retry: Retry::Later { after: None },
            },
        };
        let mut clock = now();
        let mut waits = Vec::new();
        loop {
            let claimed = agenda.claim_messages(clock, 10).await.expect("claim");
            assert_eq!(claimed.len(), 1, "one message, claimable again at {clock}");
            let at = clock;
            match agenda
                .deliver(&down, &claimed[0], &move || at, 1000)
                .await
                .expect("deliver")
            {
                Outcome::Retry { at, error } => {
                    assert_eq!(error, "connection refused");
                    assert!(
                        agenda.claim_messages(at - TimeDelta::seconds(1), 10).await.expect("claim").is_empty(),
                        "not before its time"
                    );
                    waits.push(at - clock);
                    clock = at;
                }
                Outcome::Dead { error } => {
                    assert!(error.contains("connection refused"), "{error}");
                    break;
                }
                Outcome::Sent { .. } => panic!("the channel is down"),
            }
        }
        assert_eq!(down.calls.load(Ordering::SeqCst), MAX_ATTEMPTS as usize);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        let dead = all(
            &salon,
            MessageFilter {
                status: Some(MessageStatus::Dead),
                ..MessageFilter::default()
            },
        )
        .await;
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].attempts, MAX_ATTEMPTS);
        assert!(dead[0].last_error.as_deref().is_some_and(|e| e.contains("connection refused")));

        // Sent again by hand: pending from zero, then delivered.
        let revived = agenda.resend(&salon.staff(), dead[0].id).await.expect("resend");
        assert_eq!(revived.status, MessageStatus::Pending);
        assert_eq!(revived.attempts, 0);
        let err = agenda.resend(&salon.staff(), dead[0].id).await.unwrap_err();
        assert_eq!(err.code(), "message_not_dead");
        let up = Counting {
            calls: AtomicUsize::new(0),
            answer: Delivery::Sent {
                reference: Some("<abc@smtp>".into()),
            },
        };
        let claimed = agenda.claim_messages(now(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        agenda.deliver(&up, &claimed[0], &now, 0).await.expect("deliver");
        let sent = all(&salon, MessageFilter::default()).await;
        let sent = sent.iter().find(|m| m.id == dead[0].id).expect("the message");
        assert_eq!(sent.status, MessageStatus::Sent);
        assert_eq!(sent.reference.as_deref(), Some("<abc@smtp>"));
        assert_eq!(sent.sent_at, Some(now()));

        // A refusal that will not change is dead at the first try.
        salon.book(&salon.bia, &salon.maria, "2026-03-03T15:00:00Z").await;
        agenda.gather(shop, now(), email, &NoLinks).await.expect("gather");
        let refusing = Counting {
            calls: AtomicUsize::new(0),
            answer: Delivery::Failed {
                reason: "550 mailbox unavailable".into(),
                retry: Retry::Never,
            },
        };
        let claimed = agenda.claim_messages(now(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        let outcome = agenda
            .deliver(&refusing, &claimed[0], &now, 0)
            .await
            .expect("deliver");
        assert_eq!(
            outcome,
            Outcome::Dead {
                error: "550 mailbox unavailable".into()
            }
        );
    }
);

case!(
    /// Workers claiming at once get different messages; a claim is leased,
    /// and only a lapsed lease lets another worker claim the message again,
    /// after which the first worker's outcome no longer counts.
    claims_are_leased_to_one_worker,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let other = Salon::open(store).await;
        let agenda = &salon.agenda;
        for (s, start) in [(&salon, "2026-03-03T13:00:00Z"), (&other, "2026-03-03T14:00:00Z")] {
            s.book(&s.ana, &s.maria, start).await;
            s.book(&s.bia, &s.maria, start).await;
            s.agenda
                .gather(s.business.id(), now(), Reach::default(), &NoLinks)
                .await
                .expect("gather");
        }
        // Four recorded messages in two businesses, claimed by eight
        // workers at once: each once.
        let claims = futures_util::future::join_all(
            (0..8).map(|_| agenda.claim_messages(now(), 1)),
        )
        .await;
        let mut ids: Vec<_> = claims
            .into_iter()
            .flat_map(|c| c.expect("claim"))
            .map(|c| c.message.id)
            .collect();
        assert_eq!(ids.len(), 4);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4, "no message claimed twice");
        assert!(agenda.claim_messages(now(), 10).await.expect("claim").is_empty());

        // The leases lapse: claimed again, the second attempt.
        let later = now() + LEASE + TimeDelta::seconds(1);
        let again = agenda.claim_messages(later, 10).await.expect("claim");
        assert_eq!(again.len(), 4);
        assert!(again.iter().all(|c| c.message.attempts == 2));
        // The first worker's lease no longer counts.
        let mut stale = again[0].clone();
        stale.lease = uuid::Uuid::new_v4();
        let sent = Outcome::Sent {
            at: later,
            reference: None,
        };
        assert!(!store_of(&salon).settle_message(&stale, &sent).await.expect("settle"));
        assert!(store_of(&salon).settle_message(&again[0], &sent).await.expect("settle"));
    }
);

fn store_of(salon: &Salon) -> &Arc<dyn Store> {
    salon.agenda.store()
}

case!(
    /// A round that took the time before a booking was made leaves the
    /// booking's event for the next round instead of passing it: its
    /// notices are not due at that round's time, and would be lost.
    an_event_newer_than_the_round_waits_for_the_next,
    |store| {
        let salon = Salon::open(store).await;
        let shop = salon.business.id();
        salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        let before = now() - TimeDelta::seconds(1);
        let early = salon
            .agenda
            .gather(shop, before, Reach::default(), &NoLinks)
            .await
            .expect("gather");
        assert_eq!(early, agendo_core::agenda::Gathered::default());
        let late = salon
            .agenda
            .gather(shop, now(), Reach::default(), &NoLinks)
            .await
            .expect("gather");
        assert_eq!(late.queued, 2, "the booking's messages, not lost");
    }
);

case!(
    /// A gathering of more messages than one statement writes queues them
    /// all, each once.
    many_messages_are_queued_in_one_gathering,
    |store| {
        let salon = Salon::open(store).await;
        let shop = salon.business.id();
        for half_hour in 0..12 {
            let start = at("2026-03-03T12:00:00Z") + TimeDelta::minutes(30 * half_hour);
            salon.book(&salon.ana, &salon.maria, &start.to_rfc3339()).await;
        }
        let first = salon.agenda.gather(shop, now(), Reach::default(), &NoLinks).await.expect("gather");
        assert_eq!(first.queued, 24, "twelve bookings: Maria's record and Ana's inbox each");
        let queued = all(&salon, MessageFilter::default()).await;
        assert_eq!(queued.len(), 24);
        let ids: std::collections::BTreeSet<_> = queued.iter().map(|m| m.id).collect();
        assert_eq!(ids.len(), 24);
        let again = salon.agenda.gather(shop, now(), Reach::default(), &NoLinks).await.expect("gather again");
        assert_eq!(again.queued, 0);
        assert_eq!(all(&salon, MessageFilter::default()).await.len(), 24);
    }
);

case!(
    /// Several workers gathering one business at once queue each message
    /// once.
    concurrent_gatherers_queue_each_message_once,
    |store| {
        let salon = Salon::open(store).await;
        let shop = salon.business.id();
        for hour in 12..16 {
            salon
                .book(&salon.ana, &salon.maria, &format!("2026-03-03T{hour}:00:00Z"))
                .await;
        }
        let runs = futures_util::future::join_all((0..8).map(|_| {
            salon.agenda.gather(shop, now(), Reach::default(), &NoLinks)
        }))
        .await;
        let queued: usize = runs.into_iter().map(|r| r.expect("gather").queued).sum();
        assert_eq!(queued, 8, "four bookings: Maria's record and Ana's inbox each");
        assert_eq!(all(&salon, MessageFilter::default()).await.len(), 8);
    }
);

case!(
    /// A business's template replaces the default for its topic, form and
    /// language; one with a variable its topic lacks is refused naming it;
    /// the preview fills a template for a booking or a receivable; removed,
    /// the default is back. Payment notices use the payment's variables.
    templates_replace_defaults_and_preview,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let shop = salon.business.id();
        let staff = salon.staff();
        let own = Template::new(
            Topic::BookingMade,
            Form::Email,
            Lang::PtBr,
            "Marcado: {{when}}",
            "Oi {{ client }}! {{service}} com {{professional}}, {{date}} às {{time}}: {{price}}.",
        )
        .expect("template");
        agenda.set_template(&staff, &own).await.expect("set");
        let listed = agenda.templates(&staff).await.expect("templates");
        assert_eq!(listed.len(), Topic::ALL.len() * Form::ALL.len() * 2);
        assert_eq!(listed.iter().filter(|(_, mine)| *mine).count(), 1);
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        let preview = agenda
            .preview(&staff, &own, Subject::Booking(booking.id()), &NoLinks)
            .await
            .expect("preview");
        assert_eq!(preview.title, "Marcado: ter, 03/03 às 10:00");
        assert_eq!(
            preview.body,
            "Oi Maria Souza! Corte com Ana, 03/03/2026 às 10:00: R$ 50,00."
        );
        let email = Reach {
            email: true,
            ..Reach::default()
        };
        agenda.gather(shop, now(), email, &NoLinks).await.expect("gather");
        let sent = all(
            &salon,
            MessageFilter {
                channel: Some(ChannelKind::Email),
                ..MessageFilter::default()
            },
        )
        .await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].body, preview.body);
        assert!(agenda
            .remove_template(&staff, Topic::BookingMade, Form::Email, Lang::PtBr)
            .await
            .expect("remove"));
        let (default, mine) = agenda
            .template(&staff, Topic::BookingMade, Form::Email, Lang::PtBr)
            .await
            .expect("template");
        assert!(!mine);
        assert_eq!(default, Template::default_for(Topic::BookingMade, Form::Email, Lang::PtBr));

        // A booking's topic asked of a receivable is refused naming it.
        let receivable = agenda
            .create_receivables(
                &staff,
                &ReceivableRequest {
                    client: salon.maria.id(),
                    booking: None,
                    amount: Decimal::new(12000, 2),
                    due: "2026-03-02".parse().expect("date"),
                    description: "Pacote de março".into(),
                    months: 1,
                },
            )
            .await
            .expect("receivable")[0]
            .receivable
            .id();
        let err: Error = agenda
            .preview(&staff, &own, Subject::Receivable(receivable), &NoLinks)
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("subject"));
        // On the due date at 09:00 local, the payment notice goes out.
        let due_at: DateTime<Utc> = at("2026-03-02T12:00:00Z");
        agenda.gather(shop, due_at, email, &NoLinks).await.expect("gather");
        let due = all(
            &salon,
            MessageFilter {
                subject: Some(Subject::Receivable(receivable)),
                ..MessageFilter::default()
            },
        )
        .await;
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].topic, Topic::PaymentDue);
        assert!(due[0].body.contains("R$ 120,00"), "{}", due[0].body);
        assert!(due[0].body.contains("Pacote de março"), "{}", due[0].body);
    }
);

/// A channel that records the setup each message came with.
struct Recording {
    setups: std::sync::Mutex<Vec<Option<ChannelSetup>>>,
}

#[async_trait]
impl Channels for Recording {
    async fn send(&self, _message: &Message, setup: Option<&ChannelSetup>) -> Delivery {
        self.setups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(setup.cloned());
        Delivery::Sent {
            reference: Some("wamid.1".into()),
        }
    }
}

case!(
    /// A business's own WhatsApp reads back as written (settings and the
    /// sealed credentials, byte for byte); from then on its clients with a
    /// phone get WhatsApp, and each message reaches the host's channel with
    /// the setup; removed, it is gone. E-mail is the host's, not a
    /// business's to set up.
    a_business_sets_up_its_own_channels,
    |store| {
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let staff = salon.staff();
        let setup = ChannelSetup {
            kind: ChannelKind::Whatsapp,
            settings: std::collections::BTreeMap::from([(
                "phone_number_id".to_owned(),
                "106540352242922".to_owned(),
            )]),
            sealed: vec![1, 0, 255, 7, 42],
            updated_at: now(),
        };
        agenda.set_channel(&staff, &setup).await.expect("set");
        assert_eq!(
            agenda.store().businesses_with_secrets().await.expect("list"),
            [salon.business.id()]
        );
        assert_eq!(
            agenda.channel_setups(&staff).await.expect("read"),
            std::slice::from_ref(&setup)
        );
        let email = ChannelSetup {
            kind: ChannelKind::Email,
            ..setup.clone()
        };
        let err = agenda.set_channel(&staff, &email).await.unwrap_err();
        assert_eq!(err.field(), Some("channel"));

        salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        agenda
            .gather(salon.business.id(), now(), Reach::default(), &NoLinks)
            .await
            .expect("gather");
        let claimed = agenda.claim_messages(now(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].message.channel, ChannelKind::Whatsapp);
        let recording = Recording {
            setups: std::sync::Mutex::new(Vec::new()),
        };
        agenda
            .deliver(&recording, &claimed[0], &now, 0)
            .await
            .expect("deliver");
        assert_eq!(
            *recording.setups.lock().unwrap_or_else(|e| e.into_inner()),
            [Some(setup)]
        );
        assert!(agenda
            .remove_channel(&staff, ChannelKind::Whatsapp)
            .await
            .expect("remove"));
        assert!(agenda.channel_setups(&staff).await.expect("read").is_empty());
    }
);

/// A receiver that answers as told, counting the posts.
struct Receiver {
    status: std::sync::atomic::AtomicU16,
    posts: AtomicUsize,
}

#[async_trait]
impl agendo_core::webhook::Hooks for Receiver {
    async fn post(
        &self,
        _endpoint: &agendo_core::webhook::Endpoint,
        _delivery: &agendo_core::webhook::HookDelivery,
    ) -> agendo_core::webhook::HookAnswer {
        self.posts.fetch_add(1, Ordering::SeqCst);
        agendo_core::webhook::HookAnswer::Status {
            status: self.status.load(Ordering::SeqCst),
            millis: 7,
        }
    }
}

case!(
    /// An endpoint gets one delivery per event it wants, once however often
    /// messages are gathered; a failure is retried, a 2xx logged as
    /// delivered with its latency, a replay posts again; a 410 disables
    /// the endpoint and nothing more is queued for it; bad and internal
    /// addresses are refused.
    webhooks_deliver_each_event_once_and_stop_on_410,
    |store| {
        use agendo_core::agenda::EndpointFields;
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let staff = salon.staff();
        let shop = salon.business.id();
        let fields = |url: &str, events: &[&str]| EndpointFields {
            url: Some(url.to_owned()),
            events: Some(events.iter().map(|e| (*e).to_owned()).collect()),
            active: None,
        };
        let internal = agenda
            .create_endpoint(&staff, &fields("http://127.0.0.1:9/hook", &[]), vec![1], false)
            .await
            .unwrap_err();
        assert_eq!(internal.field(), Some("url"));
        let unknown = agenda
            .create_endpoint(&staff, &fields("https://crm.example.com/a", &["booking_eaten"]), vec![1], false)
            .await
            .unwrap_err();
        assert_eq!(unknown.field(), Some("events[0]"));
        let crm = agenda
            .create_endpoint(&staff, &fields("https://crm.example.com/a", &["booking_created"]), vec![1], false)
            .await
            .expect("endpoint");
        let booking = salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        salon.book(&salon.bia, &salon.maria, "2026-03-03T13:00:00Z").await;
        for _ in 0..2 {
            agenda
                .gather(shop, now(), Reach::default(), &NoLinks)
                .await
                .expect("gather");
        }
        let page = PageRequest::read("deliveries", None, None).expect("page");
        let log = agenda.hook_deliveries(&staff, crm.id, &page).await.expect("log");
        assert_eq!(log.items.len(), 2, "two bookings made, each once");
        assert!(log.items.iter().all(|d| d.event_type == "booking_created"));
        assert!(log
            .items
            .iter()
            .any(|d| d.payload.contains(&booking.id().to_string())));

        let receiver = Receiver {
            status: std::sync::atomic::AtomicU16::new(500),
            posts: AtomicUsize::new(0),
        };
        let claimed = agenda.claim_hooks(now(), 10).await.expect("claim");
        assert_eq!(claimed.len(), 2);
        for c in &claimed {
            let outcome = agenda.deliver_hook(&receiver, c, &now, 0).await.expect("deliver");
            assert!(matches!(outcome, Outcome::Retry { .. }), "{outcome:?}");
        }
        receiver.status.store(204, Ordering::SeqCst);
        let later = now() + TimeDelta::hours(1);
        for c in agenda.claim_hooks(later, 10).await.expect("claim") {
            agenda.deliver_hook(&receiver, &c, &move || later, 0).await.expect("deliver");
        }
        let log = agenda.hook_deliveries(&staff, crm.id, &page).await.expect("log");
        assert!(log.items.iter().all(|d| d.status == MessageStatus::Sent
            && d.attempts == 2
            && d.last_status == Some(204)
            && d.latency_ms == Some(7)));
        let replayed = agenda
            .replay_hook(&staff, crm.id, log.items[0].id)
            .await
            .expect("replay");
        assert_eq!((replayed.status, replayed.attempts), (MessageStatus::Pending, 0));

        // The receiver says it is gone: the endpoint is disabled.
        receiver.status.store(410, Ordering::SeqCst);
        for c in agenda.claim_hooks(later, 10).await.expect("claim") {
            agenda.deliver_hook(&receiver, &c, &move || later, 0).await.expect("deliver");
        }
        let gone = agenda.endpoint(&staff, crm.id).await.expect("endpoint");
        assert!(!gone.active);
        assert!(gone.disabled_reason.is_some_and(|r| r.contains("410")));
        salon.book(&salon.ana, &salon.joao, "2026-03-04T13:00:00Z").await;
        agenda
            .gather(shop, later, Reach::default(), &NoLinks)
            .await
            .expect("gather");
        let log = agenda.hook_deliveries(&staff, crm.id, &page).await.expect("log");
        assert_eq!(log.items.len(), 2, "nothing queued for a disabled endpoint");
    }
);

case!(
    /// A professional's calendar feed lists their bookings with stable
    /// UIDs, a SEQUENCE that grows when one moves, and cancelled ones as
    /// cancelled; a new key ends the old; a professional rotates only
    /// their own.
    calendar_feeds_follow_bookings_and_rotate,
    |store| {
        use agendo_core::feed::EntryStatus;
        let salon = Salon::open(store).await;
        let agenda = &salon.agenda;
        let staff = salon.staff();
        agenda
            .rotate_feed(&staff, salon.ana.id(), "key-one")
            .await
            .expect("rotate");
        assert_eq!(
            agenda.store().feed("key-one").await.expect("feed"),
            Some((salon.business.id(), salon.ana.id()))
        );
        let moved = salon.book(&salon.ana, &salon.maria, "2026-03-03T13:00:00Z").await;
        let gone = salon.book(&salon.ana, &salon.joao, "2026-03-04T13:00:00Z").await;
        salon.book(&salon.bia, &salon.maria, "2026-03-03T13:00:00Z").await;
        agenda
            .reschedule(&staff, moved.id(), at("2026-03-05T13:00:00Z"))
            .await
            .expect("move");
        agenda
            .cancel(&staff, gone.id(), "imprevisto")
            .await
            .expect("cancel");
        let feed = agenda.feed("key-one", now()).await.expect("feed").expect("a feed");
        assert_eq!(feed.name, "Ana · Salão Conformidade");
        assert_eq!(feed.zone, "America/Sao_Paulo");
        assert_eq!(feed.entries.len(), 2, "Ana's bookings only, the cancelled one too");
        let entry = |id: agendo_core::ids::BookingId| {
            feed.entries
                .iter()
                .find(|e| e.uid == format!("{id}@agendo"))
                .expect("entry")
        };
        assert_eq!(entry(moved.id()).sequence, 1);
        assert_eq!(entry(moved.id()).start, at("2026-03-05T13:00:00Z"));
        assert_eq!(entry(gone.id()).status, EntryStatus::Cancelled);
        assert!(entry(gone.id()).summary.contains("João Lima"));

        agenda
            .rotate_feed(&staff, salon.ana.id(), "key-two")
            .await
            .expect("rotate");
        assert_eq!(agenda.feed("key-one", now()).await.expect("feed"), None);
        assert!(agenda.feed("key-two", now()).await.expect("feed").is_some());
        let bia = Context::new(
            salon.business.id(),
            now(),
            agendo_core::agenda::Actor::Professional(salon.bia.id()),
        );
        let err = agenda
            .rotate_feed(&bia, salon.ana.id(), "key-three")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "forbidden");
        agenda
            .rotate_feed(&bia, salon.bia.id(), "key-bia")
            .await
            .expect("her own");
    }
);
