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
//!
//! # Example
//!
//! The `Program` methods answer these records (Kotlin and Swift call the
//! same methods, in camelCase):
//!
//! ```
//! use prm_ffi::records::{LineStatus, TierDecisionKind};
//! use prm_ffi::{DateString, Program};
//!
//! let program = Program::from_json(r#"{"schema_version": 1, "currency": "JPY",
//!     "tiers": {"metrics": {"nps": {"measure": {"kind": "custom"}}},
//!               "tiers": [{"id": "registered", "name": "Registered", "rank": 0},
//!                         {"id": "gold", "name": "Gold", "rank": 1,
//!                          "requirements": [{"kind": "metric", "metric": "nps", "at_least": 40}]}]},
//!     "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "3.5%"}]}]}}"#
//!     .into())?;
//! let as_of = DateString("2026-03-31".into());
//!
//! let decision = program.evaluate_tier(
//!     r#"{"partner_id": "P1", "metrics": {"nps": 25}}"#.into(), as_of.clone())?;
//! assert_eq!(decision.kind, TierDecisionKind::Upgraded);
//! assert_eq!(decision.tier.as_deref(), Some("registered"));
//! let gap = decision.next_tier.expect("gold is above");
//! assert_eq!((gap.tier.as_str(), gap.shortfalls[0].shortfall.0.as_str()), ("gold", "15"));
//!
//! let statement = program.commission_statement("P1".into(), as_of,
//!     r#"{"transactions": [{"id": "T1", "partner_id": "P1", "date": "2026-01-10", "amount": "12345"}]}"#.into())?;
//! assert_eq!(statement.lines[0].status, LineStatus::Payable);
//! assert_eq!(statement.totals.net.0, "432"); // 3.5% of 12345 JPY, rounded half-even to whole yen
//!
//! // An error names the path in the operation's request.
//! let error = program.evaluate_tier("{".into(), DateString("2026-03-31".into())).unwrap_err();
//! assert_eq!(error.problems()[0].path, "$.partner");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that every variant of a core enum reads into the mirror variant
    /// of the same name. The match is exhaustive, so a variant added to the
    /// core fails to compile here until the mirror has it too.
    macro_rules! mirrors {
        ($core:ty => $mirror:ident { $($variant:ident),* $(,)? }) => {{
            type Core = $core;
            fn pair(value: Core) -> $mirror {
                match value {
                    $(Core::$variant => $mirror::$variant,)*
                }
            }
            for value in [$(Core::$variant),*] {
                let wire = serde_json::to_value(value).unwrap();
                let read: $mirror = serde_json::from_value(wire.clone()).unwrap();
                assert_eq!(read, pair(value), "{wire}");
                assert_eq!(serde_json::to_value(read).unwrap(), wire);
            }
        }};
    }

    #[test]
    fn every_core_enum_variant_reads_into_its_mirror() {
        mirrors!(prm_core::tier::DecisionKind => TierDecisionKind {
            Upgraded, Downgraded, Retained, AtRisk, Recovered,
        });
        mirrors!(prm_core::certification::CertificationStatus => CertificationStatus {
            NotYetEarned, Valid, Expiring, InGrace, Expired, Retired, Invalid,
        });
        mirrors!(prm_core::routing::RoutingOutcome => RoutingOutcome {
            Assigned, HouseAccount, Unassigned,
        });
        mirrors!(prm_core::routing::StrategyKind => RoutingStrategy {
            GeoExpanding, WeightedRandom, RoundRobin, LoadBalanced, Score, Fixed,
        });
        mirrors!(prm_core::deal_registration::CheckOutcome => DealCheckOutcome {
            Approve, Conflict, Reject,
        });
        mirrors!(prm_core::deal_registration::RegistrationStatus => RegistrationStatus {
            Submitted, Approved, Rejected, Expired, Won, Lost, Withdrawn,
        });
        mirrors!(prm_core::deal_registration::Resolution => Resolution { FirstCome, Review });
        mirrors!(prm_core::deal_registration::Severity => Severity { Low, Medium, High });
        mirrors!(prm_core::deal_registration::MatchedOn => MatchedOn { Domain, Name });
        mirrors!(prm_core::commission::LineKind => LineKind {
            Sale, Clawback, Override, TargetBonus,
        });
        mirrors!(prm_core::commission::TransactionKind => TransactionKind {
            Sale, Refund, Cancellation,
        });
        mirrors!(prm_core::commission::LineStatus => LineStatus { Payable, Pending });
        mirrors!(prm_core::commission::ComponentKind => ComponentKind {
            Rate, Bracket, PeriodBracket, TierMultiplier, Accelerator, Minimum, Maximum, Spiff,
            Rounding, Cap, MinimumPeriodBasis, Clawback, Override, TargetBonus,
        });
        mirrors!(prm_core::explain::Outcome => StepOutcome {
            Applied, Met, Failed, Skipped, Info,
        });
    }
}
