//! Deal registration: which partner may claim a deal with a customer, and for how long.
//!
//! # Overview
//!
//! * [`Registration`]: a partner's claim to a deal (customer, products, value, status, dates).
//! * [`DealRegistrationPolicy`]: the program's `deal_registration` section:
//!   protection days (per tier through the `deal_protection_days` benefit, 90
//!   by default), extensions, a minimum value, whether products must
//!   overlap, the name-similarity threshold, and the [`Resolution`] of
//!   duplicates (`first_come` rejects them, `review` flags them).
//! * [`check`]: approve, conflict (each blocking registration with why it
//!   matched, its similarity and [`Severity`]) or reject.
//! * [`extend`] and [`expire`]: more protection, and which registrations lapse.
//!
//! # Matching
//!
//! Two registrations are for the same customer when their normalized
//! domains are equal ([`normalize_domain`]: lower case, no scheme, `www.`,
//! path or port; a subdomain matches its parent) or their normalized names
//! ([`normalize_company_name`]: accents folded, lower case, punctuation
//! dropped, legal forms such as `inc`, `gmbh`, `kft`, `sas`, `bv` removed)
//! are at least `name_similarity` alike ([`name_similarity`], Jaro-Winkler).
//!
//! # Dates
//!
//! A registration approved on D with N protection days has `expires_on =
//! D + N` and is protected on the days before it: approved 2024-01-10 for 90
//! days, it expires 2024-04-09, blocks a duplicate on 2024-04-08 and not on
//! 2024-04-09.

mod check;
mod normalize;
mod registration;

pub use check::{
    CheckOutcome, Conflict, ExpiryReport, ExtensionDecision, ExtensionOutcome, Lapse, MatchedOn,
    NormalizedCustomer, RegistrationDecision, Severity, check, expire, extend,
};
pub use normalize::{
    LEGAL_SUFFIXES, name_similarity, normalize_company_name, normalize_domain, same_domain,
};
pub use registration::{
    Customer, DealRegistrationPolicy, Registration, RegistrationStatus, Resolution,
};
