//! Tiers: the program's ranked levels (Registered, Silver, Gold, Platinum) and their benefits.
//!
//! A [`TierProgram`] lists tiers by `rank` (0 is the entry level). Each tier
//! carries typed [`Benefits`] that the other engines read: routing reads
//! `lead_weight`, deal registration `deal_protection_days`, commissions
//! `commission_multiplier`, MDF `mdf_accrual_rate` and `mdf_activity_types`.
//!
//! ```
//! use prm_core::Program;
//! let program = Program::from_json(r#"{
//!   "schema_version": 1, "currency": "EUR",
//!   "tiers": {"tiers": [
//!     {"id": "registered", "name": "Registered", "rank": 0},
//!     {"id": "gold", "name": "Gold", "rank": 2, "benefits": {"lead_weight": "3", "commission_multiplier": "1.2"}}
//!   ]}
//! }"#)?;
//! let tiers = program.tiers().ok_or("no tiers")?;
//! assert_eq!(tiers.tier("gold").map(|t| t.rank), Some(2));
//! assert_eq!(tiers.benefits("gold").and_then(|b| b.lead_weight).map(|w| w.to_string()), Some("3".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ladder;

pub use ladder::{Benefits, TierDef, TierId, TierProgram};
