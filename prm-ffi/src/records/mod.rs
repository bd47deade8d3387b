//! Mirror records of the engines' answers: tier decisions, certification
//! statuses and reminders, routing decisions, deal-registration checks,
//! commission statements and MDF balances and ledger decisions.
//!
//! Each record derives serde with the core's field names, so the answer of
//! the facade operation reads straight into it and serializes back to the
//! same JSON; the tests in `engines.rs` check exactly that, field by field.
//! Decimals and dates are [`DecimalString`](crate::DecimalString) and
//! [`DateString`](crate::DateString). Parts of an answer that the host only
//! stores and passes back (routing state, MDF event changes) or that are
//! deeply variant (a tier's requirement reports) are [`JsonText`].

mod certification;
mod commission;
mod deal_registration;
mod explain;
mod mdf;
mod routing;
mod tier;

pub use certification::{
    AwardStatus, CertificationReminder, CertificationReminders, CertificationStatus,
    CertificationStatusReport,
};
pub use commission::{
    CarryForward, CommissionLine, CommissionStatement, ComponentKind, LineComponent, LineKind,
    LineStatus, Period, StatementTotals, TransactionKind,
};
pub use deal_registration::{
    DealCheckOutcome, DealConflict, DealRegistrationDecision, MatchedOn, NormalizedCustomer,
    RegistrationStatus, Resolution, Severity,
};
pub use explain::{ExplanationStep, JsonText, StepOutcome};
pub use mdf::{
    MdfAccountBalance, MdfApplyResult, MdfBalance, MdfDecision, MdfDecisionStatus, MdfEvent,
    MdfFigures, MdfPeriodBalance, MdfRefusal,
};
pub use routing::{
    ExclusionCount, RoutedLead, RoutingCandidate, RoutingDecision, RoutingOutcome, RoutingStrategy,
    RuleAttempt,
};
pub use tier::{
    PendingTierChange, TierAssignment, TierDecision, TierDecisionKind, TierGap, TierReport,
    TierShortfall,
};
