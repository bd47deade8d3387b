//! The stable error codes: each is API, spelled the same in every language.

macro_rules! error_codes {
    ($( $section:literal { $( $variant:ident = $wire:literal : $summary:literal, )* } )*) => {
        /// A stable, snake_case identifier for one kind of problem.
        ///
        /// Codes are part of prm's API: programs match on them, and they are
        /// the same in Rust, Python, Node, Kotlin, Swift and C. `docs/errors.md`
        /// lists every code with its summary; a test keeps the two in step.
        ///
        /// ```
        /// use prm_core::ErrorCode;
        /// assert_eq!(ErrorCode::UnknownCurrency.as_str(), "unknown_currency");
        /// assert_eq!(ErrorCode::from_wire("unknown_currency"), Some(ErrorCode::UnknownCurrency));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $( #[doc = $summary] $variant, )* )*
        }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[ $( $( ErrorCode::$variant, )* )* ];

            /// The code as it appears on the wire, e.g. `unknown_currency`.
            pub fn as_str(self) -> &'static str {
                match self { $( $( ErrorCode::$variant => $wire, )* )* }
            }

            /// One sentence saying when this code is raised.
            pub fn summary(self) -> &'static str {
                match self { $( $( ErrorCode::$variant => $summary, )* )* }
            }

            /// The catalogue section the code belongs to (`input`, `money`, ...).
            pub fn section(self) -> &'static str {
                match self { $( $( ErrorCode::$variant => $section, )* )* }
            }

            /// Looks a code up by its wire spelling.
            pub fn from_wire(wire: &str) -> Option<ErrorCode> {
                match wire { $( $( $wire => Some(ErrorCode::$variant), )* )* _ => None }
            }
        }
    };
}

error_codes! {
    "error kinds" {
        Invalid = "invalid": "The input breaks one or more rules; `problems` lists each with its path.",
        Overflow = "overflow": "A computation left the range of exact decimals (about 7.9e28); nothing was rounded or lost.",
        Conflict = "conflict": "The command does not fit the current state (for example paying a claim twice).",
        NotFound = "not_found": "Something the input refers to does not exist.",
        UnknownOperation = "unknown_operation": "The operation name passed to `call` is not one prm knows.",
        LimitExceeded = "limit_exceeded": "The input is larger or deeper than prm accepts.",
        Internal = "internal": "prm failed unexpectedly (a bug); the message says where. Please report it.",
    }
    "input" {
        MalformedJson = "malformed_json": "The request is not valid JSON text.",
        InvalidUtf8 = "invalid_utf8": "A string crossing the boundary is not valid UTF-8.",
        NullPointer = "null_pointer": "A required pointer argument was null (C ABI).",
        EmptyDocument = "empty_document": "The document is empty, `null` or `{}` where content is required.",
        UnknownField = "unknown_field": "An object has a field prm does not know (often a typo).",
        MissingField = "missing_field": "A required field is absent.",
        WrongType = "wrong_type": "A value has the wrong JSON type (for example a number where an object is expected).",
        UnknownVariant = "unknown_variant": "A `kind` or enumerated value is not one of the accepted spellings.",
        InvalidValue = "invalid_value": "A value is malformed in a way no more specific code describes.",
        OutOfRange = "out_of_range": "A number is outside the range the field accepts.",
        DuplicateId = "duplicate_id": "Two items in a list share an id that must be unique.",
        UnknownReference = "unknown_reference": "An id refers to something that is not defined.",
        UnsupportedSchemaVersion = "unsupported_schema_version": "The document's `schema_version` is not one this prm reads.",
    }
    "money and numbers" {
        DecimalMustBeString = "decimal_must_be_string": "A decimal was given as a JSON number with a fraction or exponent; pass it as a string.",
        InvalidDecimal = "invalid_decimal": "A decimal string cannot be read (for example `12,50` or `1e3`).",
        MoneyPrecision = "money_precision": "An amount has more decimal places than its currency allows.",
        UnknownCurrency = "unknown_currency": "A currency is not an ISO 4217 code with minor units.",
        CurrencyMismatch = "currency_mismatch": "Two amounts in different currencies were combined without an FX table.",
        InvalidRate = "invalid_rate": "A rate cannot be read; rates are decimal fractions (`0.07`) or percents (`7%`).",
    }
    "dates and periods" {
        InvalidDate = "invalid_date": "A date is not a real `YYYY-MM-DD` calendar date.",
        InvalidInstant = "invalid_instant": "An instant is not RFC 3339 with an offset (`2026-01-05T09:30:00Z`).",
        PeriodReversed = "period_reversed": "A period ends before it starts.",
        InvalidMonth = "invalid_month": "A month number is outside 1..=12.",
        DateOutOfRange = "date_out_of_range": "Date arithmetic left the supported calendar range.",
    }
    "certifications and tiers" {
        CertificationDurationInvalid = "certification_duration_invalid": "A certification's duration is negative, zero where that means nothing, or set where it has no effect.",
        PrerequisiteCycle = "prerequisite_cycle": "Certification prerequisites form a cycle; the message lists it.",
        RenewalOutsideWindow = "renewal_outside_window": "A renewal falls outside its window (expiry minus `renewal_opens_months` to the end of grace); it does not extend the award.",
        PrerequisiteMissing = "prerequisite_missing": "An award was earned on a day its prerequisites did not count; the award does not count.",
        PersonNotAtPartner = "person_not_at_partner": "A person listed in a partner's facts works for another partner.",
        TierRequirementInvalid = "tier_requirement_invalid": "A requirement is well-formed but cannot mean anything (an empty `all_of`, `at_least` above its count, no threshold, a points total no score can reach).",
        TierMetricMissing = "tier_metric_missing": "A requirement needs a metric the facts neither give nor let prm compute.",
        TierAssignmentAfterAsOf = "tier_assignment_after_as_of": "The tier assignment was evaluated or changed after `as_of`; evaluate in date order.",
    }
    "routing and deal registration" {
        ConditionUnknownField = "condition_unknown_field": "A condition tests a field the subject (a lead, an application) does not have.",
        ConditionOperatorMismatch = "condition_operator_mismatch": "A condition's operator does not fit the field's type (`gt` on text, `prefix` on a decimal).",
        ConditionValueMismatch = "condition_value_mismatch": "A condition's value has the wrong type or shape for its field and operator.",
        RoutingRingsNotIncreasing = "routing_rings_not_increasing": "A `geo_expanding` strategy's rings are not positive and strictly increasing.",
        RoutingNoScoreFactors = "routing_no_score_factors": "A `score` strategy names no factors, or only factors with weight 0.",
        RoutingSlaTimesReversed = "routing_sla_times_reversed": "A lead's assignment was accepted or declined before it was assigned.",
        DealRegistrationNoCustomer = "deal_registration_no_customer": "A deal registration names neither a customer name nor a domain, so it cannot be matched.",
        DealRegistrationDatesReversed = "deal_registration_dates_reversed": "A deal registration was approved before it was submitted, or expires before it was approved.",
        DealRegistrationMissingApproval = "deal_registration_missing_approval": "An approved deal registration lacks `approved_on` or `expires_on`.",
    }
    "commission" {
        CommissionBracketOverlap = "commission_bracket_overlap": "Two brackets of a commission table cover the same amounts, or a bracket ends where it starts.",
        CommissionBracketGap = "commission_bracket_gap": "A commission bracket table leaves amounts uncovered: it must start at 0, each bracket must start where the previous one ends, and only the last may be open-ended.",
        CommissionNegativeRate = "commission_negative_rate": "A commission rate, amount or multiplier is negative.",
        CommissionSplitShares = "commission_split_shares": "A transaction's split shares do not add up to exactly 1, or a share is not above 0.",
        CommissionNoPlan = "commission_no_plan": "No commission plan of the program applies to the partner (or the named plan does not exist).",
        CommissionRefundOfRefund = "commission_refund_of_refund": "A refund or cancellation names another refund or cancellation as its original; only a sale can be refunded.",
        CommissionOriginalMissing = "commission_original_missing": "A refund's original sale is neither among the transactions of the period nor in `prior_lines`; a missing original is never taken as zero.",
        CommissionRefundBeforeOriginal = "commission_refund_before_original": "A refund or cancellation is dated before the sale it refunds.",
        CommissionRefundExceedsOriginal = "commission_refund_exceeds_original": "The refunds and cancellations of a sale add up to more than the sale.",
        CommissionRefundMismatch = "commission_refund_mismatch": "A refund names a different partner than its original sale.",
        FxRateMissing = "fx_rate_missing": "A transaction is in another currency than the program and the FX table has no rate for it on or before its date.",
        CommissionPriorLineInPeriod = "commission_prior_line_in_period": "A line passed in `prior_lines` is dated inside or after the statement's period; prior lines come from earlier statements.",
        CommissionCarryForwardOverlap = "commission_carry_forward_overlap": "The carry-forward passed in already covers the statement's period, so its totals would be counted twice.",
        CommissionStreamUnordered = "commission_stream_unordered": "A transaction pushed to a commission stream came out of order (by date, then sales before refunds, then id); only the Rust streaming API raises it, as the JSON operations sort their input.",
    }
    "mdf" {
        MdfPeriodsOverlap = "mdf_periods_overlap": "Two periods of one fund program share days.",
        MdfPoolExceeded = "mdf_pool_exceeded": "An adjustment would take a period's allocations beyond its pool.",
        MdfAlreadyAllocated = "mdf_already_allocated": "The partner already has an allocation in this period; change it with `adjust`.",
        MdfPeriodNotOpen = "mdf_period_not_open": "The command's date is outside the period it acts on.",
        MdfPeriodClosed = "mdf_period_closed": "The period is closed: its unspent money has expired.",
        MdfPeriodNotEnded = "mdf_period_not_ended": "A period was closed before its end plus the expiry grace.",
        MdfTierRequired = "mdf_tier_required": "A rule depends on the partner's tier and none is known.",
        MdfActivityNotEligible = "mdf_activity_not_eligible": "The partner's tier may not request this activity type.",
        MdfNotCompliant = "mdf_not_compliant": "The fund requires the partner to be compliant for `request_mdf`, and the request does not say it is.",
        MdfLeadTimeNotMet = "mdf_lead_time_not_met": "A request was submitted later than the lead time before the activity allows.",
        MdfVendorShareExceeded = "mdf_vendor_share_exceeded": "A request asks for more than the planned cost times the vendor's share.",
        InsufficientFunds = "insufficient_funds": "Approving (or taking funds away) would take the available balance below zero.",
        MdfApprovalLimitExceeded = "mdf_approval_limit_exceeded": "The approver's role may not approve this amount.",
        MdfApprovalExceedsAmount = "mdf_approval_exceeds_amount": "An approval is larger than the amount requested or claimed.",
        MdfRequestNotPending = "mdf_request_not_pending": "The request was already approved, rejected or cancelled.",
        MdfRequestNotApproved = "mdf_request_not_approved": "A claim names a request that is pending, rejected or cancelled.",
        MdfRequestHasOpenClaims = "mdf_request_has_open_claims": "A request with claims awaiting approval or payment cannot be cancelled.",
        MdfClaimBeforeActivityEnd = "mdf_claim_before_activity_end": "A claim was submitted before the activity's last day.",
        MdfClaimWindowClosed = "mdf_claim_window_closed": "A claim was submitted after its claim window closed.",
        MdfProofMissing = "mdf_proof_missing": "A claim lacks a proof kind its activity type requires.",
        MdfApprovalUsedUp = "mdf_approval_used_up": "Nothing is left of the request's approval to claim.",
        MdfClaimNotPending = "mdf_claim_not_pending": "The claim was already approved or rejected.",
        MdfClaimNotApproved = "mdf_claim_not_approved": "Only an approved claim can be paid.",
        MdfClaimAlreadyPaid = "mdf_claim_already_paid": "The claim was already paid; a claim is paid once.",
        MdfOutOfOrder = "mdf_out_of_order": "A command or event is dated before the ledger's last event.",
        MdfLedgerInconsistent = "mdf_ledger_inconsistent": "An event passed in does not follow from the events before it (a gap, an unknown id, an impossible amount).",
    }
    "limits" {
        DocumentTooLarge = "document_too_large": "The request text is longer than prm reads (32 MiB); split it into batches.",
        NestingTooDeep = "nesting_too_deep": "The input, a condition tree or a requirement tree nests deeper than prm follows (128 JSON levels, 32 tree levels).",
        ListTooLong = "list_too_long": "A list that prm checks pairwise (brackets, bracket tables, routing rules) holds more items than prm accepts.",
    }
    "lifecycle" {
        AgreementTermAmbiguous = "agreement_term_ambiguous": "An agreement gives both `expires_on` and `term_months`; give one.",
        AgreementDatesReversed = "agreement_dates_reversed": "An agreement ends or is terminated before it takes effect.",
        AgreementRenewalTermMissing = "agreement_renewal_term_missing": "An auto-renewing agreement has no term length to renew for.",
        ScreeningThresholdsReversed = "screening_thresholds_reversed": "The screening `review` threshold is above the `accept` threshold.",
        LifecycleTransitionNotAllowed = "lifecycle_transition_not_allowed": "A lifecycle event does not apply to the partner's current status (for example activating a terminated partner).",
        ScorecardWeightsZero = "scorecard_weights_zero": "The scorecard's KPI weights add up to zero, so no health score can be weighted.",
        ScorecardBandsReversed = "scorecard_bands_reversed": "The scorecard's `watch` band starts above its `healthy` band.",
        ScorecardBoundsEqual = "scorecard_bounds_equal": "A KPI's `worst` and `best` bounds are equal, so no value can be mapped between them.",
    }
}

impl ErrorCode {
    /// Whether the code names a resource limit; an error holding such a
    /// problem is [`Error::LimitExceeded`](crate::Error::LimitExceeded).
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            ErrorCode::LimitExceeded
                | ErrorCode::DocumentTooLarge
                | ErrorCode::NestingTooDeep
                | ErrorCode::ListTooLong
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for ErrorCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A stable problem code in snake_case, such as `unknown_currency`; docs/errors.md lists every code.",
            "type": "string"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_spellings_are_unique_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "duplicate code {wire}");
            assert!(
                wire.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{wire}"
            );
            assert_eq!(ErrorCode::from_wire(wire), Some(*code));
        }
    }
}
