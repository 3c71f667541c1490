//! The conformance suite of Agendo's stores.
//!
//! Every store (the in-memory reference in `agendo-core`, `agendo-sqlite`,
//! `agendo-postgres`) runs these cases, unchanged, so they all keep the same
//! promises: records read back as written, one business never sees
//! another's, uncommitted work vanishes, and no two active bookings of one
//! professional or resource overlap beyond its capacity, even when many
//! clients book at once.
//!
//! A store's test file says how to make a fresh, empty store and run a case
//! on it, and the macro writes one `#[test]` per case:
//!
//! ```no_run
//! fn run(case: agendo_conformance::Case) {
//!     let store = std::sync::Arc::new(agendo_core::store::MemoryStore::new());
//!     futures_executor::block_on(case(store));
//! }
//! agendo_conformance::store_tests!(run);
//! ```
//!
//! Each case panics, as a test does, when the store breaks a promise. The
//! cases of [`races`] start 64 tasks at once against the store.

pub mod accounts;
pub mod cases;
pub mod catalog;
pub mod commands;
mod failing;
pub mod ledger;
pub mod messages;
pub mod races;
mod salon;
pub mod slots;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use agendo_core::store::Store;

pub use salon::{at, brl, now, Salon};

/// One case of the suite: given a fresh, empty store, checks a promise.
pub type Case = fn(Arc<dyn Store>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// Writes one `#[test]` per case of the suite, each calling `$run` with the
/// case. `$run` makes a fresh store and drives the case's future to the end.
#[macro_export]
macro_rules! store_tests {
    ($run:path) => {
        $crate::store_tests!(@each $run;
            records_read_back_as_written,
            lists_are_sorted_by_name,
            one_business_never_sees_another,
            uncommitted_work_is_thrown_away,
            booking_history_reads_back_as_written,
            a_taken_slot_is_refused_naming_the_booking,
            the_store_guard_refuses_overlaps_the_caller_did_not_check,
            capacity_allows_that_many_overlapping_bookings,
            buffers_hold_between_two_services,
            a_cancelled_booking_frees_its_time,
            bookings_meeting_lists_only_active_overlapping_bookings,
            booking_filters_select_by_each_field,
            blocks_are_kept_listed_and_deleted,
            a_service_with_a_resource_books_both_together,
            payments_read_back_and_confirm_on_payment,
            cancelling_refunds_the_payments_by_the_policy,
            a_cancel_ends_by_the_policy_as_it_stands,
            an_ended_booking_answers_as_it_reads_back,
            receivables_read_back_as_written,
            idempotency_keys_replay_and_refuse_reuse,
            a_series_is_booked_whole_or_not_at_all,
            cancel_this_and_following,
            move_this_and_following,
            concurrent_bookings_of_one_slot_let_exactly_one_win,
            concurrent_retries_with_one_key_make_one_booking,
            a_booking_added_alone_keeps_the_guard,
            a_booking_made_in_one_step_keeps_every_check
        );
        $crate::store_tests!(@accounts $run;
            accounts_read_back_and_sign_in_by_email,
            an_email_is_one_account_per_business,
            accounts_stay_in_their_business,
            sessions_read_back_as_written,
            public_addresses_are_unique,
            sign_in_failures_are_counted_per_key,
            concurrent_sign_in_attempts_count_exactly_the_limit,
            registering_opens_a_business_with_its_owner_or_nothing,
            a_reused_refresh_token_ends_its_session,
            account_links_reset_passwords_and_verify_emails_once
        );
        $crate::store_tests!(@slots $run;
            slots_offer_every_professional_and_leave_out_taken_time,
            slots_of_a_service_with_a_room_need_the_room_free,
            kept_searches_drop_the_starts_now_past,
            slots_of_a_retired_or_unperformed_service,
            batched_reads_agree_with_one_at_a_time,
            slots_see_a_booking_made_through_another_agenda,
            kept_searches_answer_as_fresh_ones_under_concurrent_writes
        );
        $crate::store_tests!(@commands $run;
            keyed_creates_replay_and_refuse_reuse,
            a_professional_and_their_login_are_made_together,
            concurrent_changes_of_different_fields_all_land,
            events_follow_every_command_in_order,
            concurrent_commands_number_events_without_gaps,
            a_command_that_does_not_commit_leaves_no_event
        );
        $crate::store_tests!(@ledger $run;
            receivables_are_owed_paid_and_listed,
            commissions_make_a_monthly_statement
        );
        $crate::store_tests!(@catalog $run;
            a_service_takes_any_free_room_of_its_kind,
            the_profile_and_pictures_read_back,
            why_not_free_names_what_is_in_the_way,
            lists_filter_total_and_tell_who
        );
        $crate::store_tests!(@messages $run;
            notices_are_gathered_once_and_delivered,
            failed_messages_back_off_and_die_with_their_reason,
            claims_are_leased_to_one_worker,
            many_messages_are_queued_in_one_gathering,
            concurrent_gatherers_queue_each_message_once,
            an_event_newer_than_the_round_waits_for_the_next,
            templates_replace_defaults_and_preview,
            a_business_sets_up_its_own_channels,
            webhooks_deliver_each_event_once_and_stop_on_410,
            calendar_feeds_follow_bookings_and_rotate
        );
        $crate::store_tests!(@races $run;
            sixty_four_clients_race_for_one_slot,
            sixty_four_retries_under_one_key_make_one_booking,
            random_overlapping_bookings_never_overlap
        );
    };
    (@each $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::cases::$case)
            }
        )*
    };
    (@accounts $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::accounts::$case)
            }
        )*
    };
    (@slots $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::slots::$case)
            }
        )*
    };
    (@commands $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::commands::$case)
            }
        )*
    };
    (@catalog $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::catalog::$case)
            }
        )*
    };
    (@ledger $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::ledger::$case)
            }
        )*
    };
    (@messages $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::messages::$case)
            }
        )*
    };
    (@races $run:path; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $run($crate::races::$case)
            }
        )*
    };
}
