//! [`StatementRun`]: the engine, fed one transaction at a time.
//!
//! Each partner has a *ledger* for its statement period. A transaction share
//! is computed when it arrives (split, basis, rates and brackets, tier
//! multiplier, accelerator, limits, SPIFFs); when its plan has nothing that
//! depends on the whole period, it is also rounded, capped and settled on
//! arrival, so the ledger keeps running totals only. Plans with period-level
//! amounts (period-cumulative brackets, an accelerator on everything) keep a
//! small numeric record per line and settle at the period's close.
//!
//! An index of transaction ids lets refunds find their original sale in the
//! same input; `prior_lines` supply originals from earlier statements.

use super::brackets::{self, BracketMode};
use super::compiled::{CompiledPlan, ShareFacts, money_like, money_text, number, percent};
use super::facts::{CarryForward, CommissionFacts, FxTable, StatementOptions};
use super::ids::IdIndex;
use super::plan::{AcceleratorScope, OverrideBasis};
use super::statement::{
    CommissionLine, CommissionStatement, CommissionStatements, ComponentKind, LineComponent,
    LineKind, LineStatus, StatementTotals,
};
use super::transaction::{Transaction, TransactionKind};
use crate::Program;
use crate::calendar::{Date, Period};
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::explain::{Explanation, Outcome, Step};
use crate::money::{Currency, Decimal, RoundingMode, allocate};
use crate::partner::{Partner, PartnerKind};
use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// What a run keeps besides the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every line with its components, and a full explanation.
    Lines,
    /// Totals, carry-forward and period-level explanation only: no line is
    /// kept for plans whose lines settle on arrival.
    Totals,
}

const NONE: u32 = u32::MAX;

/// Decimal places of a period table's ratio (total over net basis).
const RATIO_PLACES: u32 = 16;
/// Decimal places of a line's share of a period table: far below any
/// currency's minor units, and small enough to keep decimal arithmetic on its
/// fast paths. Only the line itself is rounded to money.
const SHARE_PLACES: u32 = 10;

/// FNV-1a, finished with SplitMix64, as a `Hasher`: fast on short ids, well
/// spread, and the same on every run.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // FNV-1a's low bits are weak for short, similar ids (`R00017`, `R00018`),
        // and the table indexes buckets by them: finish with a full mixer.
        crate::hash::splitmix64(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// The transaction facts a line shows (kept only when lines are).
#[derive(Debug, Clone)]
struct TxInfo {
    id: String,
    kind: TransactionKind,
    amount: Decimal,
    currency: Currency,
}

/// A transaction in the index: what a later refund needs to know about it.
#[derive(Debug, Clone)]
struct Entry {
    date: Date,
    kind: TransactionKind,
    amount: Decimal,
    currency: Currency,
    refunded: Decimal,
    partner: u32,
    shares: (u32, u32),
}

/// One line a refund can reverse: a partner's share of a sale, or a distributor's override on it.
#[derive(Debug, Clone)]
struct ShareRef {
    ledger: u32,
    reverses: LineKind,
    in_period: bool,
    from_input: bool,
    share: Decimal,
    basis: Decimal,
    bits: u64,
    pre_cap: Decimal,
    paid: Decimal,
    clawed: Decimal,
    from_partner: u32,
}

#[derive(Debug, Clone)]
struct SaleRecord {
    seq: u32,
    share_ref: u32,
    tx: u32,
    date: Date,
    share: Decimal,
    basis: Decimal,
    pre: Decimal,
    multiplier: Decimal,
    tier: u32,
    excess: Decimal,
    spiff: Decimal,
    bits: u64,
    payable_on: Option<Date>,
    /// The rate, bracket and SPIFF components, kept only when lines are.
    detail: Option<Box<RecordDetail>>,
    override_ref: u32,
    rounded: Decimal,
}

/// The components of a sale record, for lines.
#[derive(Debug, Clone, Default)]
struct RecordDetail {
    base: Vec<LineComponent>,
    spiffs: Vec<LineComponent>,
}

#[derive(Debug, Clone)]
struct OverrideRecord {
    seq: u32,
    share_ref: u32,
    tx: u32,
    date: Date,
    basis: Decimal,
    rounded: Decimal,
    payable_on: Option<Date>,
    components: Vec<LineComponent>,
}

#[derive(Debug, Clone)]
struct ClawEvent {
    seq: u32,
    tx: u32,
    original: String,
    date: Date,
    amount: Decimal,
    share_ref: u32,
    p_before: Decimal,
    p_after: Decimal,
    within: bool,
    days: i64,
}

#[derive(Debug, Clone)]
enum Record {
    Sale(SaleRecord),
    Override(OverrideRecord),
    Clawback(ClawEvent),
}

impl Record {
    fn seq(&self) -> u32 {
        match self {
            Record::Sale(r) => r.seq,
            Record::Override(r) => r.seq,
            Record::Clawback(r) => r.seq,
        }
    }
}

/// A period table once the period is closed: what it pays in all, on what
/// net basis, and the ratio of the two that each line's basis earns.
#[derive(Debug, Clone, Copy)]
struct TableShare {
    total: Decimal,
    net: Decimal,
    ratio: Decimal,
}

/// Running sums of settled lines.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    earned: Decimal,
    overrides: Decimal,
    clawed: Decimal,
    capped: Decimal,
    payable: Decimal,
    pending: Decimal,
}

/// One partner's statement in the making.
#[derive(Debug, Clone)]
struct Ledger {
    name: u32,
    partner_id: String,
    kind: Option<PartnerKind>,
    plan: usize,
    plan_reason: String,
    period: Period,
    parent: u32,
    tiers: Vec<(Date, Decimal, String)>,
    quota: Option<Decimal>,
    deferred: bool,
    running_basis: Decimal,
    paid_earnings: Decimal,
    first_capped: Option<String>,
    gross: Decimal,
    refunded: Decimal,
    table_gross: Vec<Decimal>,
    table_refunded: Vec<Decimal>,
    records: Vec<Record>,
    /// Settled lines, each flagged `true` when it belongs to this period (not a
    /// clawback of an earlier statement's line).
    lines: Vec<(bool, CommissionLine)>,
    this: Sums,
    prior: Sums,
    /// Something happened in the period (a sale, override or clawback), or the
    /// partner was asked for by name: the ledger gets a statement.
    active: bool,
}

/// A statement run: transactions go in one at a time (ordered by date, sales
/// before refunds on the same date, then id),
/// statements come out at [`StatementRun::finish`].
///
/// With [`Detail::Totals`], a run keeps no transactions and, for plans whose
/// lines settle on arrival, no lines: its memory grows with the number of
/// partners, plus one index entry per transaction so later refunds can find
/// their originals, plus one numeric record per line for plans with
/// period-level amounts (period-cumulative brackets, an accelerator on
/// everything), which cannot be attributed to lines before the period closes.
///
/// # Example
///
/// ```
/// use prm_core::commission::{CommissionFacts, Detail, StatementOptions, StatementRun, Transaction};
/// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
///   "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}}"#)?;
/// let facts = CommissionFacts::default();
/// let mut run = StatementRun::new(&program, &facts, StatementOptions::as_of("2026-03-31".parse()?), Detail::Totals)?;
/// for day in 1..=28 {
///     let date = format!("2026-02-{day:02}").parse()?;
///     run.push(&Transaction::sale(&format!("T{day:02}"), "P1", date, "100.00".parse()?));
/// }
/// let result = run.finish()?;
/// assert_eq!(result.totals.net.to_string(), "140.00");
/// assert!(result.statements[0].lines.is_empty()); // totals only
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StatementRun<'a> {
    program: &'a Program,
    facts: &'a CommissionFacts,
    options: StatementOptions,
    detail: Detail,
    currency: Currency,
    places: u32,
    mode: RoundingMode,
    plans: Vec<CompiledPlan>,
    forced_plan: Option<usize>,
    any_deferred: bool,
    fx: FxTable,
    partners: Option<HashMap<&'a str, &'a Partner>>,
    prior_originals: HashMap<&'a str, Vec<&'a CommissionLine>>,
    prior_clawbacks: HashMap<&'a str, Vec<&'a CommissionLine>>,
    names: FnvMap<String, u32>,
    name_list: Vec<String>,
    ledger_of: Vec<u32>,
    failed: BTreeSet<u32>,
    ledgers: Vec<Ledger>,
    index: IdIndex,
    prior_index: HashMap<String, u32>,
    entries: Vec<Entry>,
    shares: Vec<ShareRef>,
    txs: Vec<TxInfo>,
    last: Option<(Date, bool, String)>,
    seq: u32,
    pushed: usize,
    problems: Problems,
    outside: usize,
    included: Vec<String>,
    /// In a whole-input run: date and kind of every transaction a refund names.
    later: HashMap<String, (Date, TransactionKind)>,
}

/// Where a transaction sits in the input, for problem paths built only when needed.
#[derive(Debug, Clone, Copy)]
struct Loc<'p> {
    /// The list the transaction is in; `None` for a stream (`$.transactions`).
    base: Option<&'p JsonPath>,
    index: usize,
}

impl Loc<'_> {
    fn path(&self) -> JsonPath {
        match self.base {
            Some(base) => base.index(self.index),
            None => JsonPath::root().key("transactions").index(self.index),
        }
    }
}

/// A component; its amount is written like money once the line is complete.
fn component(rule: &str, kind: ComponentKind, amount: Decimal, detail: String) -> LineComponent {
    super::compiled::component(rule, kind, amount, detail, 28)
}

/// Writes every component amount like money when that loses nothing.
fn tidy(components: &mut [LineComponent], places: u32) {
    for c in components {
        c.amount = money_like(c.amount, places);
    }
}

/// The order transactions are taken in: by date, sales before refunds and
/// cancellations on the same date, then by id.
fn order_key(tx: &Transaction) -> (Date, bool, &str) {
    (tx.date, tx.is_reversal(), tx.id.as_str())
}

fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    a.checked_add(b)
}

fn status(payable_on: Option<Date>, as_of: Date) -> LineStatus {
    match payable_on {
        Some(d) if d <= as_of => LineStatus::Payable,
        _ => LineStatus::Pending,
    }
}

impl<'a> StatementRun<'a> {
    /// A run of `program`'s `commissions` section over `facts`.
    ///
    /// # Errors
    ///
    /// `invalid_value` when the program has no `commissions` section; every
    /// problem in `facts` (partners, tier histories, quotas, FX rates);
    /// `commission_no_plan` for an unknown `options.plan`.
    pub fn new(
        program: &'a Program,
        facts: &'a CommissionFacts,
        options: StatementOptions,
        detail: Detail,
    ) -> Result<StatementRun<'a>, Error> {
        let Some(section) = program.commissions() else {
            return Err(Error::problem(
                Problem::new(
                    ErrorCode::InvalidValue,
                    JsonPath::root().key("program").key("commissions"),
                )
                .message("the program has no `commissions` section")
                .help("add {\"commissions\": {\"plans\": [...]}} to the program"),
            ));
        };
        let mut problems = Problems::new();
        facts.validate(program, &JsonPath::root(), &mut problems);
        let plans: Vec<CompiledPlan> = section
            .plans
            .iter()
            .map(|p| CompiledPlan::new(p, program))
            .collect();
        let forced_plan = match &options.plan {
            None => None,
            Some(id) => {
                let found = plans.iter().position(|p| &p.id == id);
                if found.is_none() {
                    let mut problem =
                        Problem::new(ErrorCode::CommissionNoPlan, JsonPath::root().key("plan"))
                            .message(format!("the program has no commission plan `{id}`"));
                    if let Some(close) =
                        crate::input::did_you_mean(id, plans.iter().map(|p| p.id.as_str()))
                    {
                        problem = problem.help(format!("did you mean `{close}`?"));
                    }
                    problems.push(problem);
                }
                found
            }
        };
        problems.into_result(())?;
        let partners = facts
            .partners
            .as_ref()
            .map(|list| list.iter().map(|p| (p.id.as_str(), p)).collect());
        let mut prior_originals: HashMap<&str, Vec<&CommissionLine>> = HashMap::new();
        let mut prior_clawbacks: HashMap<&str, Vec<&CommissionLine>> = HashMap::new();
        for line in &facts.prior_lines {
            match (line.kind, &line.transaction_id, &line.original_id) {
                (LineKind::Sale | LineKind::Override, Some(id), _) => {
                    prior_originals.entry(id.as_str()).or_default().push(line);
                }
                (LineKind::Clawback, _, Some(original)) => {
                    prior_clawbacks
                        .entry(original.as_str())
                        .or_default()
                        .push(line);
                }
                _ => {}
            }
        }
        let any_deferred = plans.iter().any(|p| p.deferred);
        Ok(StatementRun {
            program,
            facts,
            currency: program.currency(),
            places: program.currency().minor_units(),
            mode: program.rounding(),
            plans,
            forced_plan,
            any_deferred,
            fx: FxTable::new(&facts.fx_rates),
            partners,
            prior_originals,
            prior_clawbacks,
            names: FnvMap::default(),
            name_list: Vec::new(),
            ledger_of: Vec::new(),
            failed: BTreeSet::new(),
            ledgers: Vec::new(),
            index: IdIndex::default(),
            prior_index: HashMap::new(),
            entries: Vec::new(),
            shares: Vec::new(),
            txs: Vec::new(),
            last: None,
            seq: 0,
            pushed: 0,
            problems: Problems::new(),
            outside: 0,
            included: Vec::new(),
            later: HashMap::new(),
            options,
            detail,
        })
    }

    /// Makes sure `partner_id` gets a statement even without transactions.
    pub fn include(&mut self, partner_id: &str) {
        self.included.push(partner_id.to_owned());
    }

    /// Adds the next transaction. Transactions must come ordered by date, then
    /// sales before refunds and cancellations, then id; one that does not is
    /// reported as `commission_stream_unordered`.
    /// Problems are collected and returned by [`StatementRun::finish`]; a
    /// transaction with a problem is left out.
    pub fn push(&mut self, tx: &Transaction) {
        let index = self.pushed;
        self.pushed += 1;
        let loc = Loc { base: None, index };
        if let Some((date, reversal, id)) = &self.last
            && order_key(tx) < (*date, *reversal, id.as_str())
        {
            self.problems.push(
                Problem::new(ErrorCode::CommissionStreamUnordered, loc.path().key("date"))
                    .message(format!(
                        "transaction `{}` ({}) comes after `{id}` ({date}); a stream must be ordered by date, then sales before refunds, then id",
                        tx.id, tx.date
                    ))
                    .help("sort the transactions, or pass them all to `statements`, which sorts them"),
            );
            return;
        }
        match &mut self.last {
            Some((date, reversal, id)) => {
                *date = tx.date;
                *reversal = tx.is_reversal();
                id.clear();
                id.push_str(&tx.id);
            }
            None => self.last = Some((tx.date, tx.is_reversal(), tx.id.clone())),
        }
        self.process(tx, loc);
    }

    /// Adds every transaction of `transactions` in order (date, sales first, id), reporting
    /// problems at `base[i]` with `i` the position in the slice.
    pub fn push_all(&mut self, transactions: &[Transaction], base: &JsonPath) {
        let named: BTreeSet<&str> = transactions
            .iter()
            .filter_map(|t| t.original_id.as_deref())
            .collect();
        for t in transactions {
            if named.contains(t.id.as_str()) {
                self.later.insert(t.id.clone(), (t.date, t.kind));
            }
        }
        let n = transactions.len();
        self.index
            .reserve(n, transactions.first().map_or(0, |t| t.id.len()));
        self.entries.reserve(n);
        self.shares.reserve(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            let (ta, tb) = (transactions.get(a), transactions.get(b));
            ta.map(order_key).cmp(&tb.map(order_key)).then(a.cmp(&b))
        });
        for i in order {
            if let Some(tx) = transactions.get(i) {
                self.process(
                    tx,
                    Loc {
                        base: Some(base),
                        index: i,
                    },
                );
            }
        }
        self.pushed += transactions.len();
    }

    /// Adds every transaction an iterator yields, in the order it yields them.
    pub fn extend<I, T>(&mut self, transactions: I)
    where
        I: IntoIterator<Item = T>,
        T: Borrow<Transaction>,
    {
        for tx in transactions {
            self.push(tx.borrow());
        }
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(n) = self.names.get(id) {
            return *n;
        }
        let n = idx(self.name_list.len());
        self.names.insert(id.to_owned(), n);
        self.name_list.push(id.to_owned());
        self.ledger_of.push(NONE);
        n
    }

    fn process(&mut self, tx: &Transaction, loc: Loc<'_>) {
        let seq = self.seq;
        self.seq = self.seq.saturating_add(1);
        let before = self.problems.as_slice().len();
        tx.validate(
            tx.currency.unwrap_or(self.currency),
            &|| loc.path(),
            &mut self.problems,
        );
        if self.problems.as_slice().len() > before {
            return;
        }
        let currency = tx.currency.unwrap_or(self.currency);
        let fx = if currency == self.currency {
            Decimal::ONE
        } else {
            match self.fx.rate(currency, tx.date) {
                Some((_, rate)) => rate,
                None => {
                    self.problems.push(
                        Problem::new(ErrorCode::FxRateMissing, loc.path().key("currency"))
                            .message(format!(
                                "no {currency} to {} rate on or before {} in `fx_rates`",
                                self.currency, tx.date
                            ))
                            .help(format!(
                                "add {{\"currency\": \"{currency}\", \"rate\": \"...\", \"from\": \"{}\"}} to `fx_rates`",
                                tx.date
                            )),
                    );
                    return;
                }
            }
        };
        let entry = idx(self.entries.len());
        if !self.index.insert_new(&tx.id, entry) {
            self.problems.push(
                Problem::new(ErrorCode::DuplicateId, loc.path().key("id"))
                    .message(format!("transaction id `{}` is used twice", tx.id)),
            );
            return;
        }
        // Indexed now, so a later refund finds it (and a refund of a refund is recognised).
        self.entries.push(Entry {
            date: tx.date,
            kind: tx.kind,
            amount: tx.amount,
            currency,
            refunded: Decimal::ZERO,
            partner: NONE,
            shares: (0, 0),
        });
        let tx_info = if self.detail == Detail::Lines {
            self.txs.push(TxInfo {
                id: tx.id.clone(),
                kind: tx.kind,
                amount: tx.amount,
                currency,
            });
            idx(self.txs.len() - 1)
        } else {
            NONE
        };
        let result = if tx.is_reversal() {
            self.reversal(tx, seq, loc, currency, tx_info, entry)
        } else {
            self.sale(tx, seq, loc, currency, fx, tx_info, entry)
        };
        if let Err(error) = result {
            self.problems.extend(error.problems().iter().cloned());
        }
    }

    // ---- partners, plans and ledgers -------------------------------------------------

    /// The index of the tier change in effect on `date`.
    fn tier_at(tiers: &[(Date, Decimal, String)], date: Date) -> Option<usize> {
        tiers.iter().rposition(|(from, _, _)| *from <= date)
    }

    /// The ledger of `partner_id`, created on first sight; `None` (with a problem
    /// when `report`) when the partner is unknown or no plan applies.
    fn ledger_for(&mut self, partner_id: &str, path: Option<&dyn Fn() -> JsonPath>) -> Option<u32> {
        let name = self.intern(partner_id);
        let existing = self.ledger_of.get(name as usize).copied().unwrap_or(NONE);
        if existing != NONE {
            return Some(existing);
        }
        if self.failed.contains(&name) {
            return None;
        }
        let partner = match &self.partners {
            None => None,
            Some(map) => match map.get(partner_id) {
                Some(p) => Some(*p),
                None => {
                    if let Some(path) = path {
                        let mut problem = Problem::new(ErrorCode::UnknownReference, path())
                            .message(format!("partner `{partner_id}` is not in `partners`"));
                        if let Some(close) =
                            crate::input::did_you_mean(partner_id, map.keys().copied())
                        {
                            problem = problem.help(format!("did you mean `{close}`?"));
                        }
                        self.problems.push(problem);
                        self.failed.insert(name);
                    }
                    return None;
                }
            },
        };
        let kind = partner.map(|p| p.kind);
        let history: Vec<&super::facts::TierChange> = {
            let mut h: Vec<_> = self
                .facts
                .tier_history
                .get(partner_id)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            h.sort_by_key(|c| c.from);
            h
        };
        let chosen = self.choose_plan(partner_id, kind, &history);
        let (plan, period, reason) = match chosen {
            Ok(found) => found,
            Err(why) => {
                if let Some(path) = path {
                    self.problems.push(
                        Problem::new(ErrorCode::CommissionNoPlan, path())
                            .message(why)
                            .help("add a plan without `applies_to` as the last plan, as a default"),
                    );
                    self.failed.insert(name);
                }
                return None;
            }
        };
        let compiled = self.plans.get(plan)?;
        let tiers: Vec<(Date, Decimal, String)> = history
            .iter()
            .map(|c| {
                let m = if compiled.tiers.enabled {
                    compiled
                        .tiers
                        .multipliers
                        .get(&c.tier)
                        .copied()
                        .unwrap_or(Decimal::ONE)
                } else {
                    Decimal::ONE
                };
                (c.from, m, c.tier.clone())
            })
            .collect();
        let quota = self
            .facts
            .quotas
            .get(partner_id)
            .copied()
            .or(compiled.accelerator.as_ref().map(|a| a.quota));
        let overrides_need_children = compiled
            .overrides
            .as_ref()
            .is_some_and(|o| o.of == OverrideBasis::Commission || o.subtract);
        let deferred = compiled.deferred || (overrides_need_children && self.any_deferred);
        let tables = compiled.period_tables.len();
        let ledger = idx(self.ledgers.len());
        self.ledgers.push(Ledger {
            name,
            partner_id: partner_id.to_owned(),
            kind,
            plan,
            plan_reason: reason,
            period,
            parent: NONE,
            tiers,
            quota,
            deferred,
            running_basis: Decimal::ZERO,
            paid_earnings: Decimal::ZERO,
            first_capped: None,
            gross: Decimal::ZERO,
            refunded: Decimal::ZERO,
            table_gross: vec![Decimal::ZERO; tables],
            table_refunded: vec![Decimal::ZERO; tables],
            records: Vec::new(),
            lines: Vec::new(),
            this: Sums::default(),
            prior: Sums::default(),
            active: false,
        });
        if let Some(slot) = self.ledger_of.get_mut(name as usize) {
            *slot = ledger;
        }
        // Two-tier: link to the parent distributor when its plan pays overrides.
        if let Some(parent_id) = partner.and_then(|p| p.parent_id.as_deref()) {
            let parent_known = self
                .partners
                .as_ref()
                .is_none_or(|m| m.contains_key(parent_id));
            if parent_known
                && let Some(parent) = self.ledger_for(parent_id, None)
                && self
                    .ledgers
                    .get(parent as usize)
                    .and_then(|l| self.plans.get(l.plan))
                    .is_some_and(|p| p.overrides.is_some())
                && let Some(l) = self.ledgers.get_mut(ledger as usize)
            {
                l.parent = parent;
            }
        }
        Some(ledger)
    }

    fn choose_plan(
        &self,
        partner_id: &str,
        kind: Option<PartnerKind>,
        history: &[&super::facts::TierChange],
    ) -> Result<(usize, Period, String), String> {
        let period_of = |plan: &CompiledPlan| match self.options.period {
            Some(p) => Ok(p),
            None => plan.period_of(self.program, self.options.as_of),
        };
        if let Some(forced) = self.forced_plan {
            let plan = self
                .plans
                .get(forced)
                .ok_or_else(|| "unknown plan".to_owned())?;
            let period = period_of(plan).map_err(|e| e.to_string())?;
            return Ok((
                forced,
                period,
                format!("plan `{}` was named in the request", plan.id),
            ));
        }
        let tier_on = |date: Date| {
            history
                .iter()
                .rev()
                .find(|c| c.from <= date)
                .map(|c| c.tier.as_str())
        };
        for (i, plan) in self.plans.iter().enumerate() {
            let period = period_of(plan).map_err(|e| e.to_string())?;
            let tier = tier_on(period.start);
            let applies = &plan.applies_to;
            let ok = (applies.partners.is_empty()
                || applies.partners.iter().any(|p| p == partner_id))
                && (applies.partner_kinds.is_empty()
                    || kind.is_some_and(|k| applies.partner_kinds.contains(&k)))
                && (applies.tiers.is_empty()
                    || tier.is_some_and(|t| applies.tiers.iter().any(|x| x == t)));
            if ok {
                let mut why = Vec::new();
                if !applies.partners.is_empty() {
                    why.push(format!("names partner `{partner_id}`"));
                }
                if let Some(k) = kind.filter(|_| !applies.partner_kinds.is_empty()) {
                    why.push(format!("partner kind {}", kind_name(k)));
                }
                if let Some(t) = tier.filter(|_| !applies.tiers.is_empty()) {
                    why.push(format!("tier `{t}` on {}", period.start));
                }
                let reason = if why.is_empty() {
                    format!("plan `{}` applies to every partner", plan.id)
                } else {
                    format!("plan `{}` applies: {}", plan.id, why.join(", "))
                };
                return Ok((i, period, reason));
            }
        }
        let kind_text = kind.map_or("unknown kind".to_owned(), |k| {
            format!("kind {}", kind_name(k))
        });
        Err(format!(
            "no commission plan applies to partner `{partner_id}` ({kind_text}, tier {})",
            history
                .last()
                .map_or("none".to_owned(), |c| format!("`{}`", c.tier))
        ))
    }

    // ---- sales -------------------------------------------------------------------------

    #[expect(
        clippy::too_many_arguments,
        reason = "the transaction and where it sits"
    )]
    fn sale(
        &mut self,
        tx: &Transaction,
        seq: u32,
        loc: Loc<'_>,
        currency: Currency,
        fx: Decimal,
        tx_info: u32,
        entry: u32,
    ) -> Result<(), Error> {
        let overflow =
            || Error::overflow(loc.path(), format!("commission on transaction `{}`", tx.id));
        let start = idx(self.shares.len());
        let booking;
        if tx.splits.is_empty() {
            let Some(ledger) =
                self.ledger_for(&tx.partner_id, Some(&|| loc.path().key("partner_id")))
            else {
                return Ok(());
            };
            booking = self.ledgers.get(ledger as usize).map_or(NONE, |l| l.name);
            self.share(
                tx,
                seq,
                tx_info,
                ledger,
                Decimal::ONE,
                tx.amount,
                tx.cost,
                fx,
            )
            .ok_or_else(overflow)?;
        } else {
            booking = self.intern(&tx.partner_id);
            let weights: Vec<Decimal> = tx.splits.iter().map(|s| s.share).collect();
            let places = currency.minor_units();
            let revenues =
                allocate(tx.amount, &weights, places).map_err(|e| e.under(&loc.path()))?;
            let costs = match tx.cost {
                Some(cost) => {
                    Some(allocate(cost, &weights, places).map_err(|e| e.under(&loc.path()))?)
                }
                None => None,
            };
            for (k, split) in tx.splits.iter().enumerate() {
                let path = || loc.path().key("splits").index(k).key("partner_id");
                let Some(ledger) = self.ledger_for(&split.partner_id, Some(&path)) else {
                    continue;
                };
                let revenue = revenues.get(k).copied().unwrap_or(Decimal::ZERO);
                let cost = costs.as_ref().and_then(|c| c.get(k).copied());
                self.share(tx, seq, tx_info, ledger, split.share, revenue, cost, fx)
                    .ok_or_else(overflow)?;
            }
        }
        let end = idx(self.shares.len());
        if let Some(e) = self.entries.get_mut(entry as usize) {
            e.partner = booking;
            e.shares = (start, end.saturating_sub(start));
        }
        Ok(())
    }

    /// One partner's share of a sale. `None` on overflow.
    #[expect(
        clippy::too_many_arguments,
        reason = "one share's facts, passed without building a struct per share"
    )]
    fn share(
        &mut self,
        tx: &Transaction,
        seq: u32,
        tx_info: u32,
        ledger: u32,
        share: Decimal,
        revenue: Decimal,
        cost: Option<Decimal>,
        fx: Decimal,
    ) -> Option<()> {
        let lines = self.detail == Detail::Lines;
        let (plan_index, period, kind, parent) = {
            let l = self.ledgers.get(ledger as usize)?;
            (l.plan, l.period, l.kind, l.parent)
        };
        let plan = self.plans.get(plan_index)?;
        let in_period = period.contains(tx.date);
        let revenue = if fx == Decimal::ONE {
            revenue
        } else {
            revenue.checked_mul(fx)?
        };
        let basis = match plan.basis {
            super::plan::Basis::Revenue => revenue,
            super::plan::Basis::Margin => {
                let cost = match cost {
                    Some(c) if fx != Decimal::ONE => c.checked_mul(fx)?,
                    Some(c) => c,
                    None => Decimal::ZERO,
                };
                revenue.checked_sub(cost)?.max(Decimal::ZERO)
            }
        };
        let share_ref = idx(self.shares.len());
        self.shares.push(ShareRef {
            ledger,
            reverses: LineKind::Sale,
            in_period,
            from_input: true,
            share,
            basis,
            bits: 0,
            pre_cap: Decimal::ZERO,
            paid: Decimal::ZERO,
            clawed: Decimal::ZERO,
            from_partner: NONE,
        });
        if !in_period {
            self.outside += 1;
            return Some(());
        }
        let quantity = match tx.quantity {
            Some(q) if share == Decimal::ONE => q,
            Some(q) => q.checked_mul(share)?,
            None => share,
        };
        let facts = ShareFacts {
            tx,
            kind,
            share,
            basis,
            quantity,
        };
        let mut base_components = Vec::new();
        let base = plan.base(&facts, lines.then_some(&mut base_components))?;
        let mut spiff_components = Vec::new();
        let spiff = plan.spiffs(&facts, lines.then_some(&mut spiff_components))?;
        let payable_on = plan.payable_on(tx.date, tx.paid_on);
        let deferred_plan = plan.deferred;
        let mode = plan.mode;
        let excess_accelerator = plan
            .accelerator
            .as_ref()
            .filter(|a| a.on == AcceleratorScope::Excess)
            .is_some();
        let l = self.ledgers.get_mut(ledger as usize)?;
        l.active = true;
        let (multiplier, tier) = match Self::tier_at(&l.tiers, tx.date) {
            Some(i) => (l.tiers.get(i).map_or(Decimal::ONE, |t| t.1), idx(i)),
            None => (Decimal::ONE, NONE),
        };
        let mut excess = Decimal::ZERO;
        if excess_accelerator {
            let before = l.running_basis;
            let after = before.checked_add(basis)?;
            l.running_basis = after;
            if let Some(quota) = l.quota {
                excess = after
                    .checked_sub(before.max(quota))?
                    .max(Decimal::ZERO)
                    .min(basis);
            }
        }
        l.gross = l.gross.checked_add(basis)?;
        for (t, gross) in l.table_gross.iter_mut().enumerate() {
            if base.bits & (1u64 << t) != 0 {
                *gross = gross.checked_add(basis)?;
            }
        }
        if let Some(s) = self.shares.get_mut(share_ref as usize) {
            s.bits = base.bits;
        }
        let mut record = SaleRecord {
            seq,
            share_ref,
            tx: tx_info,
            date: tx.date,
            share,
            basis,
            pre: base.pre,
            multiplier,
            tier,
            excess,
            spiff,
            bits: base.bits,
            payable_on,
            detail: lines.then(|| {
                Box::new(RecordDetail {
                    base: base_components,
                    spiffs: spiff_components,
                })
            }),
            override_ref: NONE,
            rounded: Decimal::ZERO,
        };
        let ledger_deferred = l.deferred;
        if !deferred_plan {
            let (exact, _) = self.line_amount(ledger, &record, &[], false, false)?;
            record.rounded = mode.round(exact, self.places);
        }
        // The distributor's override line, when it can be computed now.
        let mut override_ref = NONE;
        if parent != NONE {
            override_ref = self.override_share(tx, seq, tx_info, parent, ledger, &record)?;
        }
        record.override_ref = override_ref;
        if ledger_deferred {
            if let Some(l) = self.ledgers.get_mut(ledger as usize) {
                l.records.push(Record::Sale(record));
            }
        } else {
            self.settle_sale(ledger, &record)?;
        }
        Some(())
    }

    /// The exact amount of a sale line and its components (before rounding).
    /// `shares_of_tables` is each period table's total, net basis and their ratio.
    fn line_amount(
        &self,
        ledger: u32,
        r: &SaleRecord,
        shares_of_tables: &[TableShare],
        accelerate_all: bool,
        want_components: bool,
    ) -> Option<(Decimal, Vec<LineComponent>)> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let mut components = Vec::new();
        if want_components && let Some(detail) = &r.detail {
            components.extend(detail.base.iter().cloned());
        }
        let mut base = r.pre;
        for (t, share) in shares_of_tables.iter().enumerate() {
            if r.bits & (1u64 << t) == 0 {
                continue;
            }
            let (total, net) = (&share.total, &share.net);
            let part =
                RoundingMode::HalfEven.round(r.basis.checked_mul(share.ratio)?, SHARE_PLACES);
            base = base.checked_add(part)?;
            if want_components && let Some(table) = plan.period_tables.get(t) {
                components.push(component(
                    &table.rule,
                    ComponentKind::PeriodBracket,
                    part,
                    format!(
                        "share {} of net basis {} in the period's {}",
                        self.text(r.basis),
                        self.text(*net),
                        self.text(*total)
                    ),
                ));
            }
        }
        let multiplied = base.checked_mul(r.multiplier)?;
        if want_components && r.multiplier != Decimal::ONE {
            let tier = l
                .tiers
                .get(r.tier as usize)
                .map_or("none", |t| t.2.as_str());
            components.push(component(
                &format!("tier.{tier}"),
                ComponentKind::TierMultiplier,
                multiplied.checked_sub(base)?,
                format!("× {} for tier `{tier}` on {}", number(r.multiplier), r.date),
            ));
        }
        let mut uplift = Decimal::ZERO;
        if let Some(acc) = &plan.accelerator {
            let extra = acc.multiplier.checked_sub(Decimal::ONE)?;
            let note;
            match acc.on {
                AcceleratorScope::Excess if !r.excess.is_zero() && !r.basis.is_zero() => {
                    uplift = multiplied
                        .checked_mul(extra)?
                        .checked_mul(r.excess)?
                        .checked_div(r.basis)?;
                    note = note!(
                        want_components,
                        "× {} on the {} of basis above quota",
                        number(acc.multiplier),
                        self.text(r.excess)
                    );
                }
                AcceleratorScope::Everything if accelerate_all => {
                    uplift = multiplied.checked_mul(extra)?;
                    note = note!(
                        want_components,
                        "× {}: the period reached quota",
                        number(acc.multiplier)
                    );
                }
                _ => note = String::new(),
            }
            if want_components && !note.is_empty() {
                components.push(component(
                    &plan.rule("accelerator"),
                    ComponentKind::Accelerator,
                    uplift,
                    note,
                ));
            }
        }
        let accelerated = multiplied.checked_add(uplift)?;
        let limited = plan.clamp(accelerated);
        if want_components && limited != accelerated {
            let (kind, name) = if limited > accelerated {
                (ComponentKind::Minimum, "minimum")
            } else {
                (ComponentKind::Maximum, "maximum")
            };
            components.push(component(
                &plan.rule(&format!("per_transaction.{name}")),
                kind,
                limited.checked_sub(accelerated)?,
                format!("per-transaction {name} {}", self.text(limited)),
            ));
        }
        if want_components && let Some(detail) = &r.detail {
            components.extend(detail.spiffs.iter().cloned());
        }
        Some((limited.checked_add(r.spiff)?, components))
    }

    /// Creates the override share of a reseller's sale line for `parent`; settles
    /// or records it now when it can be computed now.
    fn override_share(
        &mut self,
        tx: &Transaction,
        seq: u32,
        tx_info: u32,
        parent: u32,
        child: u32,
        record: &SaleRecord,
    ) -> Option<u32> {
        let (parent_plan, parent_period, parent_deferred) = {
            let p = self.ledgers.get(parent as usize)?;
            (p.plan, p.period, p.deferred)
        };
        let child_deferred = self
            .plans
            .get(self.ledgers.get(child as usize)?.plan)?
            .deferred;
        let rule = self.plans.get(parent_plan)?.overrides.clone()?;
        let in_period = parent_period.contains(tx.date);
        let from_partner = self.ledgers.get(child as usize)?.name;
        let share_ref = idx(self.shares.len());
        self.shares.push(ShareRef {
            ledger: parent,
            reverses: LineKind::Override,
            in_period,
            from_input: true,
            share: record.share,
            basis: record.basis,
            bits: 0,
            pre_cap: Decimal::ZERO,
            paid: Decimal::ZERO,
            clawed: Decimal::ZERO,
            from_partner,
        });
        if !in_period {
            return Some(share_ref);
        }
        if let Some(p) = self.ledgers.get_mut(parent as usize) {
            p.active = true;
        }
        let needs_commission = rule.of == OverrideBasis::Commission || rule.subtract;
        if needs_commission && child_deferred {
            // Computed from the reseller's line when its period closes.
            return Some(share_ref);
        }
        let payable_on = self.plans.get(parent_plan)?.payable_on(tx.date, tx.paid_on);
        let over =
            self.override_record(seq, share_ref, tx_info, tx.date, record, &rule, payable_on)?;
        if parent_deferred {
            self.ledgers
                .get_mut(parent as usize)?
                .records
                .push(Record::Override(over));
        } else {
            self.settle_override(parent, &over)?;
        }
        Some(share_ref)
    }

    #[expect(clippy::too_many_arguments, reason = "the override's facts")]
    fn override_record(
        &self,
        seq: u32,
        share_ref: u32,
        tx_info: u32,
        date: Date,
        child: &SaleRecord,
        rule: &super::compiled::CompiledOverride,
        payable_on: Option<Date>,
    ) -> Option<OverrideRecord> {
        let mode = rule.mode;
        let (exact, note) = match (rule.of, rule.subtract) {
            (OverrideBasis::Basis, false) => (
                child.basis.checked_mul(rule.rate)?,
                format!(
                    "{} of the reseller's basis {}",
                    percent(rule.rate),
                    self.text(child.basis)
                ),
            ),
            (OverrideBasis::Basis, true) => {
                let gross = child.basis.checked_mul(rule.rate)?;
                (
                    gross.checked_sub(child.rounded)?.max(Decimal::ZERO),
                    format!(
                        "{} of the reseller's basis {} = {}, less the reseller's {}",
                        percent(rule.rate),
                        self.text(child.basis),
                        self.text(gross),
                        self.text(child.rounded)
                    ),
                )
            }
            (OverrideBasis::Commission, _) => (
                child.rounded.checked_mul(rule.rate)?,
                format!(
                    "{} of the reseller's commission {}",
                    percent(rule.rate),
                    self.text(child.rounded)
                ),
            ),
        };
        let components = if self.detail == Detail::Lines {
            vec![component(&rule.rule, ComponentKind::Override, exact, note)]
        } else {
            Vec::new()
        };
        Some(OverrideRecord {
            seq,
            share_ref,
            tx: tx_info,
            date,
            basis: child.basis,
            rounded: mode.round(exact, self.places),
            payable_on,
            components,
        })
    }

    // ---- settling lines ----------------------------------------------------------------

    /// Applies the period cap (in arrival order) to an earning line of `rounded`;
    /// returns (paid, capped) and records the line's status.
    fn settle_earning(
        &mut self,
        ledger: u32,
        rounded: Decimal,
        payable_on: Option<Date>,
        kind: LineKind,
        tx: u32,
    ) -> Option<(Decimal, Decimal, LineStatus)> {
        let as_of = self.options.as_of;
        let cap = self.plans.get(self.ledgers.get(ledger as usize)?.plan)?.cap;
        let txs = &self.txs;
        let l = self.ledgers.get_mut(ledger as usize)?;
        let paid = match cap {
            Some(cap) => {
                let room = cap.checked_sub(l.paid_earnings)?.max(Decimal::ZERO);
                rounded.min(room)
            }
            None => rounded,
        };
        let capped = rounded.checked_sub(paid)?;
        if !capped.is_zero() && l.first_capped.is_none() {
            l.first_capped = Some(
                txs.get(tx as usize)
                    .map(|t| t.id.clone())
                    .unwrap_or_default(),
            );
        }
        l.paid_earnings = l.paid_earnings.checked_add(paid)?;
        let st = status(payable_on, as_of);
        match kind {
            LineKind::Override => l.this.overrides = add(l.this.overrides, rounded)?,
            _ => l.this.earned = add(l.this.earned, rounded)?,
        }
        l.this.capped = add(l.this.capped, capped)?;
        match st {
            LineStatus::Payable => l.this.payable = add(l.this.payable, paid)?,
            LineStatus::Pending => l.this.pending = add(l.this.pending, paid)?,
        }
        Some((paid, capped, st))
    }

    fn settle_sale(&mut self, ledger: u32, r: &SaleRecord) -> Option<()> {
        let (paid, capped, st) =
            self.settle_earning(ledger, r.rounded, r.payable_on, LineKind::Sale, r.tx)?;
        if let Some(s) = self.shares.get_mut(r.share_ref as usize) {
            s.pre_cap = r.rounded;
            s.paid = paid;
        }
        if self.detail == Detail::Lines {
            let (_, components) = self.line_amount(
                ledger,
                r,
                &self.table_shares(ledger)?,
                self.accelerates_all(ledger)?,
                true,
            )?;
            let line = self.earning_line(
                ledger,
                LineKind::Sale,
                &r.tx,
                r.date,
                r.share,
                r.basis,
                r.rounded,
                paid,
                capped,
                components,
                r.payable_on,
                st,
                NONE,
            )?;
            self.ledgers
                .get_mut(ledger as usize)?
                .lines
                .push((true, line));
        }
        Some(())
    }

    fn settle_override(&mut self, ledger: u32, r: &OverrideRecord) -> Option<()> {
        let (paid, capped, st) =
            self.settle_earning(ledger, r.rounded, r.payable_on, LineKind::Override, r.tx)?;
        let from = self
            .shares
            .get(r.share_ref as usize)
            .map_or(NONE, |s| s.from_partner);
        if let Some(s) = self.shares.get_mut(r.share_ref as usize) {
            s.pre_cap = r.rounded;
            s.paid = paid;
        }
        if self.detail == Detail::Lines {
            let share = self
                .shares
                .get(r.share_ref as usize)
                .map_or(Decimal::ONE, |s| s.share);
            let line = self.earning_line(
                ledger,
                LineKind::Override,
                &r.tx,
                r.date,
                share,
                r.basis,
                r.rounded,
                paid,
                capped,
                r.components.clone(),
                r.payable_on,
                st,
                from,
            )?;
            self.ledgers
                .get_mut(ledger as usize)?
                .lines
                .push((true, line));
        }
        Some(())
    }

    #[expect(clippy::too_many_arguments, reason = "a line's fields")]
    fn earning_line(
        &self,
        ledger: u32,
        kind: LineKind,
        tx: &u32,
        date: Date,
        share: Decimal,
        basis: Decimal,
        rounded: Decimal,
        paid: Decimal,
        capped: Decimal,
        mut components: Vec<LineComponent>,
        payable_on: Option<Date>,
        status: LineStatus,
        from_partner: u32,
    ) -> Option<CommissionLine> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let info = self.txs.get(*tx as usize);
        let mut sum = Decimal::ZERO;
        for c in &components {
            sum = sum.checked_add(c.amount)?;
        }
        let rounding = rounded.checked_sub(sum)?;
        if !rounding.is_zero() {
            components.push(component(
                "program.rounding",
                ComponentKind::Rounding,
                rounding,
                format!("{} to {} places", plan.mode.as_str(), self.places),
            ));
        }
        if !capped.is_zero() {
            components.push(component(
                &plan.rule("period_cap"),
                ComponentKind::Cap,
                Decimal::new(-capped.value()),
                format!(
                    "the period cap {} was reached",
                    self.text(plan.cap.unwrap_or(Decimal::ZERO))
                ),
            ));
        }
        tidy(&mut components, self.places);
        let rate = (!basis.is_zero())
            .then(|| rounded.checked_div(basis))
            .flatten()
            .map(|r| Decimal::new(RoundingMode::HalfEven.round(r, 6).value().normalize()));
        Some(CommissionLine {
            kind,
            partner_id: l.partner_id.clone(),
            transaction_id: info.map(|t| t.id.clone()),
            transaction_kind: info.map(|t| t.kind),
            date,
            original_id: None,
            reverses: None,
            from_partner_id: (from_partner != NONE)
                .then(|| self.name_list.get(from_partner as usize).cloned())
                .flatten(),
            transaction_amount: info.map(|t| t.amount),
            transaction_currency: info.map(|t| t.currency),
            share,
            basis: money_like(basis, self.places),
            rate,
            amount: paid,
            capped: self.money(capped),
            components,
            payable_on,
            status,
        })
    }

    fn text(&self, value: Decimal) -> String {
        money_text(value, self.places)
    }

    fn money(&self, value: Decimal) -> Decimal {
        self.mode.round(value, self.places)
    }

    /// Each period table's (total, net basis) for the ledger, once its period is closed.
    fn table_shares(&self, ledger: u32) -> Option<Vec<TableShare>> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let mut out = Vec::with_capacity(plan.period_tables.len());
        for (t, table) in plan.period_tables.iter().enumerate() {
            let net = l
                .table_gross
                .get(t)?
                .checked_sub(*l.table_refunded.get(t)?)?;
            let total = brackets::evaluate(&table.steps, table.mode, net)?;
            // Each line's share is basis × total / net: the ratio is taken once per
            // period, to RATIO_PLACES, so each line costs one multiplication.
            let ratio = if net <= Decimal::ZERO || total.is_zero() {
                Decimal::ZERO
            } else {
                RoundingMode::HalfEven.round(total.checked_div(net)?, RATIO_PLACES)
            };
            out.push(TableShare { total, net, ratio });
        }
        Some(out)
    }

    fn net_basis(&self, ledger: u32) -> Option<Decimal> {
        let l = self.ledgers.get(ledger as usize)?;
        l.gross.checked_sub(l.refunded)
    }

    fn accelerates_all(&self, ledger: u32) -> Option<bool> {
        let l = self.ledgers.get(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let net = self.net_basis(ledger)?;
        Some(
            plan.accelerator
                .as_ref()
                .is_some_and(|a| a.on == AcceleratorScope::Everything)
                && l.quota.is_some_and(|q| net >= q),
        )
    }

    // ---- refunds and cancellations -----------------------------------------------------

    fn prior_entry(&mut self, original: &str, loc: Loc<'_>) -> Option<u32> {
        if let Some(e) = self.prior_index.get(original) {
            return Some(*e);
        }
        let lines = self.prior_originals.get(original)?.clone();
        let first = lines.first()?;
        let amount = first.transaction_amount?;
        let currency = first.transaction_currency.unwrap_or(self.currency);
        let date = first.date;
        let clawbacks = self
            .prior_clawbacks
            .get(original)
            .cloned()
            .unwrap_or_default();
        let mut refunded = Decimal::ZERO;
        let mut counted = BTreeSet::new();
        for c in &clawbacks {
            if let (Some(id), Some(a)) = (&c.transaction_id, c.transaction_amount)
                && counted.insert(id.as_str())
            {
                refunded = refunded.checked_add(a)?;
            }
        }
        let start = idx(self.shares.len());
        for line in &lines {
            let path = || loc.path().key("original_id");
            let Some(ledger) = self.ledger_for(&line.partner_id, Some(&path)) else {
                continue;
            };
            let mut clawed = Decimal::ZERO;
            for c in &clawbacks {
                if c.partner_id == line.partner_id
                    && c.reverses.unwrap_or(LineKind::Sale) == line.kind
                {
                    clawed = clawed.checked_sub(c.amount)?;
                }
            }
            let from_partner = match &line.from_partner_id {
                Some(p) => self.intern(p),
                None => NONE,
            };
            self.shares.push(ShareRef {
                ledger,
                reverses: line.kind,
                in_period: false,
                from_input: false,
                share: line.share,
                basis: line.basis,
                bits: 0,
                pre_cap: line.amount.checked_add(line.capped)?,
                paid: line.amount,
                clawed,
                from_partner,
            });
        }
        let end = idx(self.shares.len());
        self.entries.push(Entry {
            date,
            kind: TransactionKind::Sale,
            amount,
            currency,
            refunded,
            partner: NONE,
            shares: (start, end.saturating_sub(start)),
        });
        let e = idx(self.entries.len() - 1);
        self.prior_index.insert(original.to_owned(), e);
        Some(e)
    }

    fn reversal(
        &mut self,
        tx: &Transaction,
        seq: u32,
        loc: Loc<'_>,
        currency: Currency,
        tx_info: u32,
        own: u32,
    ) -> Result<(), Error> {
        let overflow =
            || Error::overflow(loc.path(), format!("clawback of transaction `{}`", tx.id));
        let original = tx.original_id.clone().unwrap_or_default();
        let at = || loc.path().key("original_id");
        let input = self.index.get(&original);
        let input_in_period = input
            .and_then(|e| self.entries.get(e as usize))
            .is_some_and(|e| {
                let (start, len) = e.shares;
                (start..start + len)
                    .any(|s| self.shares.get(s as usize).is_some_and(|s| s.in_period))
            });
        let entry = if (input.is_none() || !input_in_period)
            && self.prior_originals.contains_key(original.as_str())
        {
            self.prior_entry(&original, loc)
        } else {
            input
        };
        let booking = self.intern(&tx.partner_id);
        if let Some(e) = self.entries.get_mut(own as usize) {
            e.partner = booking;
        }
        let Some(entry) = entry else {
            if let Some((_, kind)) = self
                .later
                .get(original.as_str())
                .filter(|(_, k)| *k != TransactionKind::Sale)
            {
                return Err(Error::problem(
                    Problem::new(ErrorCode::CommissionRefundOfRefund, at())
                        .message(format!(
                            "`{}` reverses `{original}`, which is itself a {}; only a sale can be reversed",
                            tx.id,
                            kind.as_str()
                        ))
                        .help("point `original_id` at the sale"),
                ));
            }
            if let Some((date, _)) = self
                .later
                .get(original.as_str())
                .filter(|(d, _)| *d > tx.date)
            {
                return Err(Error::problem(
                    Problem::new(
                        ErrorCode::CommissionRefundBeforeOriginal,
                        loc.path().key("date"),
                    )
                    .message(format!(
                        "`{}` is dated {}, before its original `{original}` ({date})",
                        tx.id, tx.date
                    ))
                    .help("check the dates: a sale is refunded after it is booked"),
                ));
            }
            return Err(Error::problem(
                Problem::new(ErrorCode::CommissionOriginalMissing, at())
                    .message(format!(
                        "the {} `{}` reverses `{original}`, which is neither among the transactions nor in `prior_lines`",
                        tx.kind.as_str(),
                        tx.id
                    ))
                    .help("pass the original sale, or its statement lines in `prior_lines`"),
            ));
        };
        let settled_before = self
            .prior_clawbacks
            .get(original.as_str())
            .is_some_and(|lines| {
                lines
                    .iter()
                    .any(|l| l.transaction_id.as_deref() == Some(tx.id.as_str()))
            });
        if settled_before && self.prior_index.get(original.as_str()) == Some(&entry) {
            // An earlier statement already clawed this refund back: its line is in
            // `prior_lines`, and counted there.
            return Ok(());
        }
        let e = self
            .entries
            .get(entry as usize)
            .cloned()
            .ok_or_else(overflow)?;
        let mut problems = Problems::new();
        if e.kind != TransactionKind::Sale {
            problems.push(
                Problem::new(ErrorCode::CommissionRefundOfRefund, at())
                    .message(format!(
                        "`{}` reverses `{original}`, which is itself a {}; only a sale can be reversed",
                        tx.id,
                        e.kind.as_str()
                    ))
                    .help("point `original_id` at the sale"),
            );
        }
        if e.date > tx.date {
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundBeforeOriginal,
                    loc.path().key("date"),
                )
                .message(format!(
                    "`{}` is dated {}, before its original `{original}` ({})",
                    tx.id, tx.date, e.date
                )),
            );
        }
        if e.partner != NONE && e.partner != booking {
            let owner = self
                .name_list
                .get(e.partner as usize)
                .cloned()
                .unwrap_or_default();
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundMismatch,
                    loc.path().key("partner_id"),
                )
                .message(format!(
                    "`{}` is booked by `{}` but its original `{original}` was booked by `{owner}`",
                    tx.id, tx.partner_id
                )),
            );
        }
        if e.currency != currency {
            problems.push(
                Problem::new(ErrorCode::CurrencyMismatch, loc.path().key("currency")).message(
                    format!(
                        "`{}` is in {currency} but its original `{original}` is in {}",
                        tx.id, e.currency
                    ),
                ),
            );
        }
        let after = e.refunded.checked_add(tx.amount).ok_or_else(overflow)?;
        if e.kind == TransactionKind::Sale && after > e.amount {
            problems.push(
                Problem::new(
                    ErrorCode::CommissionRefundExceedsOriginal,
                    loc.path().key("amount"),
                )
                .message(format!(
                    "refunds of `{original}` would reach {after}, more than the sale's {}",
                    e.amount
                ))
                .help(format!(
                    "at most {} of `{original}` is left to refund",
                    e.amount.checked_sub(e.refunded).unwrap_or(e.amount)
                )),
            );
        }
        problems.into_result(())?;
        let p_before = e.refunded.checked_div(e.amount).ok_or_else(overflow)?;
        let p_after = after.checked_div(e.amount).ok_or_else(overflow)?;
        if let Some(entry) = self.entries.get_mut(entry as usize) {
            entry.refunded = after;
        }
        let days = e.date.days_until(tx.date);
        let (start, len) = e.shares;
        for s in start..start + len {
            let Some(share) = self.shares.get(s as usize).cloned() else {
                continue;
            };
            let Some(l) = self.ledgers.get(share.ledger as usize) else {
                continue;
            };
            if !l.period.contains(tx.date) {
                self.outside += 1;
                continue;
            }
            let plan = self.plans.get(l.plan).ok_or_else(overflow)?;
            let within = plan.window.is_none_or(|w| days <= i64::from(w));
            let deferred = l.deferred;
            if let Some(l) = self.ledgers.get_mut(share.ledger as usize) {
                l.active = true;
            }
            if share.from_input && !share.in_period && within {
                self.problems.push(
                    Problem::new(ErrorCode::CommissionOriginalMissing, at())
                        .message(format!(
                            "`{}` claws back `{original}` ({}), which is before the statement period; its commission was settled by an earlier statement",
                            tx.id, e.date
                        ))
                        .help(format!("pass the statement lines of `{original}` in `prior_lines`")),
                );
                continue;
            }
            let event = ClawEvent {
                seq,
                tx: tx_info,
                original: original.clone(),
                date: tx.date,
                amount: tx.amount,
                share_ref: s,
                p_before,
                p_after,
                within,
                days,
            };
            if share.in_period && within && share.reverses == LineKind::Sale {
                let part = p_after
                    .checked_sub(p_before)
                    .and_then(|p| p.checked_mul(share.basis))
                    .ok_or_else(overflow)?;
                let l = self
                    .ledgers
                    .get_mut(share.ledger as usize)
                    .ok_or_else(overflow)?;
                l.refunded = l.refunded.checked_add(part).ok_or_else(overflow)?;
                for (t, refunded) in l.table_refunded.iter_mut().enumerate() {
                    if share.bits & (1u64 << t) != 0 {
                        *refunded = refunded.checked_add(part).ok_or_else(overflow)?;
                    }
                }
            }
            if deferred {
                if let Some(l) = self.ledgers.get_mut(share.ledger as usize) {
                    l.records.push(Record::Clawback(event));
                }
            } else {
                self.settle_clawback(share.ledger, &event)
                    .ok_or_else(overflow)?;
            }
        }
        Ok(())
    }

    fn settle_clawback(&mut self, ledger: u32, ev: &ClawEvent) -> Option<()> {
        let original = ev.original.as_str();
        let as_of = self.options.as_of;
        let share = self.shares.get(ev.share_ref as usize)?.clone();
        let plan = self.plans.get(self.ledgers.get(ledger as usize)?.plan)?;
        let window = plan.window;
        let mode = plan.mode;
        let amount = if ev.within {
            let target = mode.round(share.paid.checked_mul(ev.p_after)?, self.places);
            target.checked_sub(share.clawed)?.max(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        if let Some(s) = self.shares.get_mut(ev.share_ref as usize) {
            s.clawed = s.clawed.checked_add(amount)?;
        }
        let value = Decimal::new(-amount.value());
        let payable_on = Some(ev.date);
        let st = status(payable_on, as_of);
        let l = self.ledgers.get_mut(ledger as usize)?;
        let sums = if share.in_period {
            &mut l.this
        } else {
            &mut l.prior
        };
        sums.clawed = add(sums.clawed, value)?;
        match st {
            LineStatus::Payable => sums.payable = add(sums.payable, value)?,
            LineStatus::Pending => sums.pending = add(sums.pending, value)?,
        }
        if self.detail != Detail::Lines {
            return Some(());
        }
        let rule = self
            .plans
            .get(self.ledgers.get(ledger as usize)?.plan)?
            .rule("clawback");
        let what = match share.reverses {
            LineKind::Override => "override",
            _ => "commission",
        };
        let refund_share = ev.p_after.checked_sub(ev.p_before)?;
        let detail = if ev.within {
            format!(
                "refund of {} of the sale reverses {} of the {what} {} paid on `{original}` ({} days after the sale{})",
                percent(refund_share),
                percent(refund_share),
                self.text(share.paid),
                ev.days,
                window.map_or(String::new(), |w| format!(", window {w} days"))
            )
        } else {
            format!(
                "{} days after the sale, outside the {}-day window: reverses nothing",
                ev.days,
                window.unwrap_or(0)
            )
        };
        let info = self.txs.get(ev.tx as usize);
        let basis = Decimal::new(-(refund_share.checked_mul(share.basis)?).value());
        let line = CommissionLine {
            kind: LineKind::Clawback,
            partner_id: self.ledgers.get(ledger as usize)?.partner_id.clone(),
            transaction_id: info.map(|t| t.id.clone()),
            transaction_kind: info.map(|t| t.kind),
            date: ev.date,
            original_id: Some(original.to_owned()),
            reverses: Some(share.reverses),
            from_partner_id: (share.from_partner != NONE)
                .then(|| self.name_list.get(share.from_partner as usize).cloned())
                .flatten(),
            transaction_amount: Some(ev.amount),
            transaction_currency: info.map(|t| t.currency),
            share: share.share,
            basis: money_like(basis, self.places),
            rate: None,
            amount: self.money(value),
            capped: self.money(Decimal::ZERO),
            components: vec![super::compiled::component(
                &rule,
                ComponentKind::Clawback,
                value,
                detail,
                self.places,
            )],
            payable_on,
            status: st,
        };
        self.ledgers
            .get_mut(ledger as usize)?
            .lines
            .push((share.in_period, line));
        Some(())
    }

    // ---- closing -----------------------------------------------------------------------

    /// Closes every partner's period and returns the statements, or every problem found.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with every problem recorded while pushing, plus
    /// `commission_prior_line_in_period` and `commission_carry_forward_overlap`;
    /// `overflow` past the decimal range.
    pub fn finish(mut self) -> Result<CommissionStatements, Error> {
        for partner in std::mem::take(&mut self.included) {
            if let Some(l) = self.ledger_for(&partner, Some(&|| JsonPath::root().key("partner_id")))
                && let Some(l) = self.ledgers.get_mut(l as usize)
            {
                l.active = true;
            }
        }
        for (i, line) in self.facts.prior_lines.iter().enumerate() {
            let name = self.names.get(line.partner_id.as_str()).copied();
            let ledger = name
                .and_then(|n| self.ledger_of.get(n as usize).copied())
                .unwrap_or(NONE);
            if let Some(l) = self.ledgers.get(ledger as usize)
                && line.date >= l.period.start
            {
                self.problems.push(
                    Problem::new(ErrorCode::CommissionPriorLineInPeriod, JsonPath::root().key("prior_lines").index(i).key("date"))
                        .message(format!(
                            "prior line of `{}` is dated {}, inside or after the statement period {}",
                            line.partner_id, line.date, l.period
                        ))
                        .help("pass only lines of earlier statements; this period's transactions go in `transactions`"),
                );
            }
        }
        let problems = std::mem::take(&mut self.problems);
        problems.into_result(())?;
        let overflow = || Error::overflow(JsonPath::root(), "commission statements");
        // Phase 1: settle the period-level amounts of deferred ledgers (rounding only).
        for ledger in 0..self.ledgers.len() {
            if self.ledgers.get(ledger).is_some_and(|l| l.deferred) {
                self.price_deferred(idx(ledger)).ok_or_else(overflow)?;
            }
        }
        // Phase 2: overrides computed from resellers' settled lines.
        for ledger in 0..self.ledgers.len() {
            self.deferred_overrides(idx(ledger)).ok_or_else(overflow)?;
        }
        // Phase 3: replay deferred ledgers in arrival order: cap, clawbacks, status.
        for ledger in 0..self.ledgers.len() {
            if self.ledgers.get(ledger).is_some_and(|l| l.deferred) {
                self.replay(idx(ledger)).ok_or_else(overflow)?;
            }
        }
        // Phase 4: period-level rules and the statements.
        let mut statements = Vec::new();
        let mut problems = Problems::new();
        // Closed in partner order, so the statements need no sorting (a partner has one ledger).
        let mut order: Vec<u32> = (0..self.ledgers.len())
            .filter(|&l| self.ledgers.get(l).is_some_and(|l| l.active))
            .map(idx)
            .collect();
        if !order.is_sorted_by_key(|&l| self.ledgers.get(l as usize).map(|l| &l.partner_id)) {
            order.sort_unstable_by_key(|&l| self.ledgers.get(l as usize).map(|l| &l.partner_id));
        }
        for ledger in order {
            match self.close(ledger) {
                Some(Ok(statement)) => statements.push(statement),
                Some(Err(e)) => problems.extend(e.problems().iter().cloned()),
                None => return Err(overflow()),
            }
        }
        problems.into_result(())?;
        let mut totals = StatementTotals::zero(self.places);
        for s in &statements {
            totals = totals.checked_add(&s.totals)?;
        }
        Ok(CommissionStatements {
            statements,
            totals,
            outside_period: self.outside,
        })
    }

    /// Rounds a deferred ledger's sale records once the period's net basis is known.
    fn price_deferred(&mut self, ledger: u32) -> Option<()> {
        let tables = self.table_shares(ledger)?;
        let everything = self.accelerates_all(ledger)?;
        let has_tables = !tables.is_empty();
        let mode = self
            .plans
            .get(self.ledgers.get(ledger as usize)?.plan)?
            .mode;
        let mut records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        let mut exact = Vec::new();
        for record in &mut records {
            if let Record::Sale(r) = record {
                let (e, _) = self.line_amount(ledger, r, &tables, everything, false)?;
                exact.push(e);
            }
        }
        let rounded: Vec<Decimal> = if has_tables {
            let mut total = Decimal::ZERO;
            for e in &exact {
                total = total.checked_add(*e)?;
            }
            let total = mode.round(total, self.places);
            allocate(total, &exact, self.places).ok()?
        } else {
            exact.iter().map(|e| mode.round(*e, self.places)).collect()
        };
        let mut i = 0;
        for record in &mut records {
            if let Record::Sale(r) = record {
                r.rounded = self.money(*rounded.get(i)?);
                i += 1;
            }
        }
        self.ledgers.get_mut(ledger as usize)?.records = records;
        Some(())
    }

    /// Adds to the parent the overrides that needed this ledger's settled lines.
    fn deferred_overrides(&mut self, ledger: u32) -> Option<()> {
        let (parent, deferred) = {
            let l = self.ledgers.get(ledger as usize)?;
            (l.parent, l.deferred)
        };
        if parent == NONE || !deferred {
            return Some(());
        }
        let parent_plan = self.ledgers.get(parent as usize)?.plan;
        let Some(rule) = self.plans.get(parent_plan)?.overrides.clone() else {
            return Some(());
        };
        if !(rule.of == OverrideBasis::Commission || rule.subtract) {
            return Some(());
        }
        let records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        let mut new = Vec::new();
        for record in &records {
            let Record::Sale(r) = record else { continue };
            if r.override_ref == NONE || !self.shares.get(r.override_ref as usize)?.in_period {
                continue;
            }
            let paid_on = None;
            let payable_on = self
                .plans
                .get(parent_plan)?
                .payable_on(r.date, paid_on)
                .or(r.payable_on);
            new.push(Record::Override(self.override_record(
                r.seq,
                r.override_ref,
                r.tx,
                r.date,
                r,
                &rule,
                payable_on,
            )?));
        }
        self.ledgers.get_mut(ledger as usize)?.records = records;
        self.ledgers.get_mut(parent as usize)?.records.extend(new);
        Some(())
    }

    /// Settles a deferred ledger's records in arrival order.
    fn replay(&mut self, ledger: u32) -> Option<()> {
        let mut records = std::mem::take(&mut self.ledgers.get_mut(ledger as usize)?.records);
        // Records arrive in order; only overrides added at the close can be out of it.
        if !records.is_sorted_by_key(Record::seq) {
            records.sort_by_key(Record::seq);
        }
        for record in &records {
            match record {
                Record::Sale(r) => self.settle_sale(ledger, r)?,
                Record::Override(r) => self.settle_override(ledger, r)?,
                Record::Clawback(ev) => self.settle_clawback(ledger, ev)?,
            }
        }
        Some(())
    }

    /// Period-level rules (minimum basis, target bonuses), totals, carry-forward, explanation.
    fn close(&mut self, ledger: u32) -> Option<Result<CommissionStatement, Error>> {
        let as_of = self.options.as_of;
        let places = self.places;
        let net_basis = self.net_basis(ledger)?;
        let tables = self.table_shares(ledger)?;
        let everything = self.accelerates_all(ledger)?;
        let mode = self.mode;
        let mt = |v: Decimal| money_text(v, places);
        let l = self.ledgers.get_mut(ledger as usize)?;
        let plan = self.plans.get(l.plan)?;
        let mut explanation = Explanation::new();
        explanation.push(
            Step::new(
                format!("plan.{}", plan.id),
                Outcome::Applied,
                l.plan_reason.clone(),
            )
            .value("plan", &plan.id)
            .value("name", plan.name.as_deref().unwrap_or(&plan.id)),
        );
        explanation.push(
            Step::new(
                "period",
                Outcome::Info,
                format!(
                    "period {} ({}), as of {as_of}",
                    l.period,
                    plan.period.as_str()
                ),
            )
            .value("start", l.period.start)
            .value("end", l.period.end),
        );
        explanation.push(
            Step::new(
                "basis",
                Outcome::Info,
                format!(
                    "net basis {}: sales {} less refunds inside the window {}",
                    mode.round(net_basis, places),
                    mode.round(l.gross, places),
                    mode.round(l.refunded, places)
                ),
            )
            .value("net_basis", money_like(net_basis, places))
            .value("sales", money_like(l.gross, places))
            .value("refunds", money_like(l.refunded, places)),
        );
        for (t, TableShare { total, net, .. }) in tables.iter().enumerate() {
            let Some(table) = plan.period_tables.get(t) else {
                continue;
            };
            let mut step = Step::new(
                table.rule.clone(),
                Outcome::Applied,
                format!(
                    "{} brackets on the period's net basis {}: {}",
                    match table.mode {
                        BracketMode::Graduated => "graduated",
                        BracketMode::Retroactive => "retroactive",
                    },
                    mt(*net),
                    mt(*total)
                ),
            )
            .value("net_basis", money_like(*net, places))
            .value("total", money_like(*total, places));
            match table.mode {
                BracketMode::Graduated => {
                    for slice in brackets::slices(&table.steps, *net) {
                        step = step.child(Step::new(
                            format!("{}[{}]", table.rule, slice.index),
                            Outcome::Applied,
                            format!(
                                "{} to {} at {} = {}",
                                mt(slice.from),
                                mt(slice.to),
                                percent(slice.rate),
                                mt(slice.amount)
                            ),
                        ));
                    }
                }
                BracketMode::Retroactive => {
                    if let Some((i, s)) =
                        brackets::reached(&table.steps, *net).filter(|_| *net > Decimal::ZERO)
                    {
                        step = step.child(Step::new(
                            format!("{}[{i}]", table.rule),
                            Outcome::Applied,
                            format!(
                                "reached the bracket from {}: all of {} at {}",
                                mt(s.from),
                                mt(*net),
                                percent(s.rate)
                            ),
                        ));
                    }
                }
            }
            explanation.push(step);
        }
        if let Some(acc) = &plan.accelerator {
            let quota = l.quota.unwrap_or(acc.quota);
            let attainment = net_basis
                .checked_div(quota)
                .map(|a| RoundingMode::HalfEven.round(a, 4))
                .unwrap_or(Decimal::ZERO);
            let met = net_basis >= quota;
            let message = match acc.on {
                AcceleratorScope::Excess => format!(
                    "quota {}: attainment {}; commission on basis above quota × {}",
                    mt(quota),
                    percent(attainment),
                    number(acc.multiplier)
                ),
                AcceleratorScope::Everything if everything => format!(
                    "quota {} reached (attainment {}): all of the period's commission × {}",
                    mt(quota),
                    percent(attainment),
                    number(acc.multiplier)
                ),
                AcceleratorScope::Everything => format!(
                    "quota {} not reached (attainment {}): no accelerator",
                    mt(quota),
                    percent(attainment)
                ),
            };
            explanation.push(
                Step::new(
                    plan.rule("accelerator"),
                    if met { Outcome::Met } else { Outcome::Failed },
                    message,
                )
                .value("quota", quota)
                .value("attainment", attainment),
            );
        }
        if let Some(cap) = plan.cap {
            let capped = l.this.capped;
            explanation.push(
                if capped.is_zero() {
                    Step::new(
                        plan.rule("period_cap"),
                        Outcome::Met,
                        format!("earnings stayed within the period cap {}", mt(cap)),
                    )
                } else {
                    Step::new(
                        plan.rule("period_cap"),
                        Outcome::Applied,
                        format!(
                            "earnings of {} reached the period cap {} on `{}`: {} capped",
                            mt(l.this
                                .earned
                                .checked_add(l.this.overrides)
                                .unwrap_or(l.this.earned)),
                            mt(cap),
                            l.first_capped.clone().unwrap_or_default(),
                            mt(capped)
                        ),
                    )
                }
                .value("cap", cap)
                .value("capped", capped),
            );
        }
        // Minimum period basis: below it, nothing earned in the period is paid.
        let forfeit = plan.minimum_basis.is_some_and(|m| net_basis < m);
        if let Some(minimum) = plan.minimum_basis {
            explanation.push(Step::new(
                plan.rule("minimum_period_basis"),
                if forfeit {
                    Outcome::Failed
                } else {
                    Outcome::Met
                },
                if forfeit {
                    format!(
                        "net basis {} is below the minimum {}: nothing earned this period is paid",
                        mt(net_basis),
                        mt(minimum)
                    )
                } else {
                    format!(
                        "net basis {} reaches the minimum {}",
                        mt(net_basis),
                        mt(minimum)
                    )
                },
            ));
        }
        if forfeit {
            l.this = Sums::default();
            for (this_period, line) in &mut l.lines {
                if !*this_period || (line.amount.is_zero() && line.capped.is_zero()) {
                    continue;
                }
                let pre_cap = line.amount.checked_add(line.capped).unwrap_or(line.amount);
                line.components.retain(|c| c.kind != ComponentKind::Cap);
                line.components.push(component(
                    &plan.rule("minimum_period_basis"),
                    ComponentKind::MinimumPeriodBasis,
                    Decimal::new(-pre_cap.value()),
                    "the period's basis stayed below the plan's minimum".to_owned(),
                ));
                tidy(&mut line.components, places);
                line.amount = mode.round(Decimal::ZERO, places);
                line.capped = mode.round(Decimal::ZERO, places);
            }
        }
        // Target bonuses.
        let mut bonuses = Decimal::ZERO;
        for (rule, target, bonus) in &plan.bonuses {
            let met = !forfeit && net_basis >= *target;
            explanation.push(Step::new(
                rule.clone(),
                if met { Outcome::Met } else { Outcome::Failed },
                if met {
                    format!(
                        "net basis {} reached the target {}: bonus {}",
                        mt(net_basis),
                        mt(*target),
                        mt(*bonus)
                    )
                } else {
                    format!(
                        "net basis {} is short of the target {}",
                        mt(net_basis),
                        mt(*target)
                    )
                },
            ));
            if !met {
                continue;
            }
            let amount = mode.round(*bonus, places);
            bonuses = bonuses.checked_add(amount)?;
            let payable_on = l.period.last_day().add_days(i64::from(plan.hold_days)).ok();
            let st = status(payable_on, as_of);
            match st {
                LineStatus::Payable => l.this.payable = add(l.this.payable, amount)?,
                LineStatus::Pending => l.this.pending = add(l.this.pending, amount)?,
            }
            if self.detail == Detail::Lines {
                l.lines.push((
                    true,
                    CommissionLine {
                        kind: LineKind::TargetBonus,
                        partner_id: l.partner_id.clone(),
                        transaction_id: None,
                        transaction_kind: None,
                        date: l.period.last_day(),
                        original_id: None,
                        reverses: None,
                        from_partner_id: None,
                        transaction_amount: None,
                        transaction_currency: None,
                        share: Decimal::ONE,
                        basis: mode.round(net_basis, places),
                        rate: None,
                        amount,
                        capped: mode.round(Decimal::ZERO, places),
                        components: vec![component(
                            rule,
                            ComponentKind::TargetBonus,
                            money_like(*bonus, places),
                            format!("net basis reached {}", mt(*target)),
                        )],
                        payable_on,
                        status: st,
                    },
                ));
            }
        }
        let zero = mode.round(Decimal::ZERO, places);
        let m = |v: Decimal| mode.round(v, places);
        let this = l.this;
        let prior = l.prior;
        let clawed = add(this.clawed, prior.clawed)?;
        let payable = add(this.payable, prior.payable)?;
        let pending = add(this.pending, prior.pending)?;
        let net = add(add(payable, pending)?, zero)?;
        let totals = StatementTotals {
            basis: m(net_basis),
            earned: m(this.earned),
            overrides: m(this.overrides),
            clawed_back: m(clawed),
            capped: m(this.capped),
            bonuses: m(bonuses),
            net: m(net),
            payable: m(payable),
            pending: m(pending),
        };
        // Carry-forward.
        let calendar = self.program.fiscal_calendar();
        let fiscal_year = calendar.fiscal_year(l.period.start);
        let carry = match self.facts.carry_forward.get(&l.partner_id) {
            Some(cf) if cf.through >= l.period.start => {
                return Some(Err(Error::problem(
                    Problem::new(
                        ErrorCode::CommissionCarryForwardOverlap,
                        JsonPath::root()
                            .key("carry_forward")
                            .key(&l.partner_id)
                            .key("through"),
                    )
                    .message(format!(
                        "the carry-forward of `{}` already counts through {}, inside the period {}",
                        l.partner_id, cf.through, l.period
                    ))
                    .help("pass the carry-forward of the previous period's statement"),
                )));
            }
            Some(cf) => Some(cf),
            None => None,
        };
        let same_year = carry.filter(|cf| cf.fiscal_year == fiscal_year);
        let carry_forward = CarryForward {
            fiscal_year,
            through: l.period.last_day(),
            year_to_date_basis: m(add(
                same_year.map_or(Decimal::ZERO, |c| c.year_to_date_basis),
                net_basis,
            )?),
            year_to_date_net: m(add(
                same_year.map_or(Decimal::ZERO, |c| c.year_to_date_net),
                net,
            )?),
            lifetime_net: m(add(carry.map_or(Decimal::ZERO, |c| c.lifetime_net), net)?),
        };
        explanation.push(
            Step::new(
                "carry_forward",
                Outcome::Info,
                format!(
                    "fiscal year {fiscal_year} to date: basis {}, net {}; lifetime net {}",
                    carry_forward.year_to_date_basis,
                    carry_forward.year_to_date_net,
                    carry_forward.lifetime_net
                ),
            )
            .value("fiscal_year", fiscal_year)
            .value(
                "previous",
                carry.map_or("none".to_owned(), |c| c.through.to_string()),
            ),
        );
        let mut lines: Vec<CommissionLine> = std::mem::take(&mut l.lines)
            .into_iter()
            .map(|(_, line)| line)
            .collect();
        lines.sort_by(|a, b| {
            let bonus = |x: &CommissionLine| x.kind == LineKind::TargetBonus;
            bonus(a).cmp(&bonus(b)).then(a.date.cmp(&b.date))
        });
        if !lines.is_empty() {
            let mut step = Step::new("lines", Outcome::Info, format!("{} lines", lines.len()));
            for line in &lines {
                step = step.child(line_step(line));
            }
            explanation.push(step);
        }
        Some(Ok(CommissionStatement {
            partner_id: l.partner_id.clone(),
            plan_id: plan.id.clone(),
            period: l.period,
            currency: self.currency,
            lines,
            totals,
            carry_forward,
            explanation,
        }))
    }
}

fn kind_name(kind: PartnerKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn line_step(line: &CommissionLine) -> Step {
    let id = line
        .transaction_id
        .clone()
        .unwrap_or_else(|| "bonus".to_owned());
    let message = match line.kind {
        LineKind::Sale => format!(
            "sale on {}: basis {} earns {}",
            line.date, line.basis, line.amount
        ),
        LineKind::Override => format!(
            "override on `{}`'s sale of {}: {}",
            line.from_partner_id.as_deref().unwrap_or("?"),
            line.date,
            line.amount
        ),
        LineKind::Clawback => format!(
            "{} on {} of `{}`: {}",
            line.transaction_kind
                .map_or("refund", TransactionKind::as_str),
            line.date,
            line.original_id.as_deref().unwrap_or("?"),
            line.amount
        ),
        LineKind::TargetBonus => format!("target bonus: {}", line.amount),
    };
    let outcome = if line.amount.is_zero() && line.kind == LineKind::Clawback {
        Outcome::Skipped
    } else {
        Outcome::Applied
    };
    let mut step = Step::new(id, outcome, message)
        .value("amount", line.amount)
        .value(
            "status",
            match line.status {
                LineStatus::Payable => "payable",
                LineStatus::Pending => "pending",
            },
        );
    if !line.capped.is_zero() {
        step = step.value("capped", line.capped);
    }
    for c in &line.components {
        step = step.child(
            Step::new(c.rule.clone(), Outcome::Applied, c.detail.clone()).value("amount", c.amount),
        );
    }
    step
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commission::TierChange;

    fn program(plans: serde_json::Value) -> Program {
        Program::from_value(&serde_json::json!({
            "schema_version": 1, "currency": "EUR",
            "tiers": {"tiers": [{"id": "gold", "name": "Gold", "rank": 1, "benefits": {"commission_multiplier": "1.5"}}]},
            "commissions": {"plans": plans}
        }))
        .unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn sale(id: &str, partner: &str, day: &str, amount: &str) -> Transaction {
        Transaction::sale(id, partner, date(day), amount.parse().unwrap())
    }

    fn options() -> StatementOptions {
        StatementOptions::as_of(date("2026-03-31"))
    }

    #[test]
    fn totals_run_keeps_no_records_when_lines_settle_on_arrival() {
        let program = program(
            serde_json::json!([{"id": "p", "rates": [{"kind": "percent", "id": "r", "rate": "10%"}], "period_cap": "50.00"}]),
        );
        let facts = CommissionFacts::default();
        let mut run = StatementRun::new(&program, &facts, options(), Detail::Totals).unwrap();
        for i in 0..100 {
            run.push(&sale(&format!("T{i:03}"), "P1", "2026-02-01", "10.00"));
        }
        let ledger = run.ledgers.first().unwrap();
        assert!(!ledger.deferred);
        assert!(ledger.records.is_empty() && ledger.lines.is_empty());
        assert!(run.txs.is_empty());
        let result = run.finish().unwrap();
        assert_eq!(result.totals.earned.to_string(), "100.00");
        assert_eq!(result.totals.capped.to_string(), "50.00");
    }

    #[test]
    fn period_brackets_settle_when_the_period_closes() {
        let program = program(
            serde_json::json!([{"id": "p", "brackets": [{"id": "t", "scope": "period",
            "brackets": [{"from": "0", "to": "100", "rate": "0%"}, {"from": "100", "rate": "10%"}]}]}]),
        );
        let facts = CommissionFacts::default();
        let mut run = StatementRun::new(&program, &facts, options(), Detail::Totals).unwrap();
        run.push(&sale("T1", "P1", "2026-01-10", "100.00"));
        run.push(&sale("T2", "P1", "2026-01-11", "200.00"));
        assert!(run.ledgers.first().unwrap().deferred);
        assert_eq!(run.ledgers.first().unwrap().records.len(), 2);
        // 300 of net basis: 200 above 100 at 10% = 20, shared 1:2.
        let result = run.finish().unwrap();
        assert_eq!(result.totals.net.to_string(), "20.00");
    }

    #[test]
    fn tier_multiplier_follows_the_transaction_date() {
        let program = program(
            serde_json::json!([{"id": "p", "rates": [{"kind": "percent", "id": "r", "rate": "10%"}],
            "tier_multiplier": {"kind": "tier_benefits"}}]),
        );
        let mut facts = CommissionFacts::default();
        facts.tier_history.insert(
            "P1".into(),
            vec![TierChange {
                tier: "gold".into(),
                from: date("2026-02-01"),
            }],
        );
        let result = crate::commission::statements(
            &program,
            &[
                sale("T1", "P1", "2026-01-31", "100.00"),
                sale("T2", "P1", "2026-02-01", "100.00"),
            ],
            &facts,
            &options(),
        )
        .unwrap();
        let amounts: Vec<String> = result.statements[0]
            .lines
            .iter()
            .map(|l| l.amount.to_string())
            .collect();
        assert_eq!(amounts, ["10.00", "15.00"]);
    }

    #[test]
    fn refund_naming_a_later_refund_is_a_refund_of_refund() {
        let program = program(
            serde_json::json!([{"id": "p", "rates": [{"kind": "percent", "id": "r", "rate": "10%"}]}]),
        );
        let txs = [
            sale("T1", "P1", "2026-01-10", "100.00"),
            Transaction::refund(
                "R2",
                "P1",
                date("2026-01-12"),
                "5.00".parse().unwrap(),
                "R3",
            ),
            Transaction::refund(
                "R3",
                "P1",
                date("2026-01-20"),
                "5.00".parse().unwrap(),
                "T1",
            ),
        ];
        let err =
            crate::commission::statements(&program, &txs, &CommissionFacts::default(), &options())
                .unwrap_err();
        let codes: Vec<_> = err
            .problems()
            .iter()
            .map(|p| (p.code().as_str(), p.path().to_owned()))
            .collect();
        assert_eq!(
            codes,
            vec![(
                "commission_refund_of_refund",
                "$.transactions[1].original_id".to_owned()
            )]
        );
    }

    #[test]
    fn partner_named_in_the_request_gets_a_statement_without_transactions() {
        let program = program(
            serde_json::json!([{"id": "p", "rates": [{"kind": "percent", "id": "r", "rate": "10%"}]}]),
        );
        let statement = crate::commission::statement(
            &program,
            &[],
            &CommissionFacts::default(),
            "P9",
            &options(),
        )
        .unwrap();
        assert!(statement.lines.is_empty());
        assert_eq!(statement.totals.net.to_string(), "0.00");
        assert_eq!(statement.carry_forward.through, date("2026-03-31"));
    }
}
