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

use super::compiled::{CompiledPlan, money_like};
use super::facts::{CommissionFacts, FxTable, StatementOptions};
use super::ids::{IdHash, IdIndex};
use super::statement::{
    CommissionLine, CommissionStatements, ComponentKind, LineComponent, LineKind, LineStatus,
    StatementTotals,
};
use super::transaction::{Transaction, TransactionKey, TransactionKind};
use crate::Program;
use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem, Problems};
use crate::money::{Currency, Decimal, RoundingMode};
use crate::partner::Partner;
use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap, HashSet};

mod ahead;
mod cap;
mod clawbacks;
mod close;
mod ledgers;
mod names;
mod overrides;
mod period;
mod records;
mod retained;
mod sales;
mod units;
mod wide;

use self::ahead::Ahead;
use self::names::Names;
use self::records::{Entry, Ledger, SaleExtra, ShareRef, TxInfo};
use self::retained::Retained;
use super::chunked::Chunked;

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

/// What [`StatementRun::warm`] found for a transaction ahead of processing
/// it, so [`StatementRun::process`] does not look it up again.
#[derive(Debug, Clone, Copy)]
struct Warmed {
    /// The partner's ledger (`NONE` when it was not found).
    ledger: u32,
    /// The hash of the transaction's id, when computed.
    id_hash: Option<IdHash>,
}

impl Warmed {
    /// Nothing found yet: [`StatementRun::process`] looks everything up.
    const NOTHING: Warmed = Warmed {
        ledger: NONE,
        id_hash: None,
    };
}

/// A transaction of a batch and its position in the input.
struct Indexed<'t> {
    index: usize,
    tx: &'t Transaction,
}

impl Borrow<Transaction> for Indexed<'_> {
    fn borrow(&self) -> &Transaction {
        self.tx
    }
}

/// The most transactions [`StatementRun::extend`] makes room for in advance.
const MOST_RESERVED: usize = 1 << 20;

/// Decimal places of a period table's ratio (total over net basis).
const RATIO_PLACES: u32 = 16;
/// Decimal places of a line's share of a period table: far below any
/// currency's minor units, and small enough to keep decimal arithmetic on its
/// fast paths. Only the line itself is rounded to money.
const SHARE_PLACES: u32 = 10;

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

/// A statement run: transactions go in one at a time (ordered by date, sales
/// before refunds on the same date, then id),
/// statements come out at [`StatementRun::finish`].
///
/// With [`Detail::Totals`], a run keeps no transactions and, for plans whose
/// lines settle on arrival, no lines: its memory grows with the number of
/// partners, plus one index entry per transaction so later refunds can find
/// their originals (only those of the last clawback window with
/// [`StatementRun::forget_past_window`]), plus one numeric record per line for
/// plans with period-level amounts (period-cumulative brackets, an accelerator
/// on everything), which cannot be attributed to lines before the period closes.
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
    names: Names,
    ledger_of: Vec<u32>,
    failed: BTreeSet<u32>,
    ledgers: Vec<Ledger>,
    index: IdIndex,
    prior_index: HashMap<String, u32>,
    entries: Retained<Entry>,
    shares: Retained<ShareRef>,
    /// How much of each sale a refund named was refunded so far, by entry
    /// (apart from the entries: few sales are refunded).
    refunded: HashMap<u32, Decimal>,
    /// How much of each share a clawback reversed was clawed back so far.
    clawed: HashMap<u32, Decimal>,
    /// The extras of the sale records that have one ([`records::SaleRecord::extra`]).
    extras: Chunked<SaleExtra>,
    /// Set by [`StatementRun::forget_past_window`]: a streamed sale is
    /// forgotten once it is more than this many days older than the latest
    /// transaction (the longest clawback window of the program's plans).
    horizon: Option<i64>,
    txs: Vec<TxInfo>,
    /// The last payout date computed: (plan, day the hold counts from, payable on).
    payable_memo: Option<(usize, Option<Date>, Option<Date>)>,
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
    TransactionKey::of(tx).order()
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
    /// `missing_field` when the program has no `commissions` section; every
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
                    ErrorCode::MissingField,
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
            names: Names::default(),
            ledger_of: Vec::new(),
            failed: BTreeSet::new(),
            ledgers: Vec::new(),
            index: IdIndex::default(),
            prior_index: HashMap::new(),
            entries: Retained::default(),
            shares: Retained::default(),
            refunded: HashMap::new(),
            clawed: HashMap::new(),
            extras: Chunked::default(),
            horizon: None,
            txs: Vec::new(),
            payable_memo: None,
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
        self.push_to(tx, Warmed::NOTHING);
    }

    /// [`StatementRun::push`], with what [`StatementRun::warm`] found for
    /// the transaction.
    fn push_to(&mut self, tx: &Transaction, warmed: Warmed) {
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
        self.process(tx, loc, warmed);
        if let Some(horizon) = self.horizon {
            self.forget_expired(tx.date, horizon);
        }
    }

    /// Lets a stream forget each sale once no refund can claw it back any
    /// more: when it is older than the longest `clawback_window_days` of the
    /// program's plans, counted from the latest transaction pushed.
    ///
    /// Memory then stays bounded: the partners' ledgers, plus the sales (and
    /// refunds) of the last *window* days, plus, for plans whose lines settle
    /// when the period closes (period brackets, an accelerator on
    /// everything), one record per line of the period and the index entries
    /// of those lines' sales. [`StatementRun::retained`] reports how many
    /// transactions the index holds. Without it, the index keeps every
    /// transaction of the stream. When a plan has no clawback window, nothing
    /// is ever forgotten, since a refund can claw back at any age.
    ///
    /// What a stream that forgets no longer does: a refund or cancellation
    /// of a forgotten sale (which, being past every window, would reverse
    /// nothing) is reported as `commission_original_missing`, like a refund
    /// of an unknown sale (pass the sale's line in `prior_lines` to have it
    /// checked), and a transaction id is checked for duplicates only against
    /// the transactions still retained. [`StatementRun::push_all`] and
    /// [`super::statements`] never forget.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::commission::{CommissionFacts, Detail, StatementOptions, StatementRun, Transaction};
    /// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
    ///   "commissions": {"plans": [{"id": "std", "period": "year", "clawback_window_days": 30,
    ///     "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}}"#)?;
    /// let facts = CommissionFacts::default();
    /// let options = StatementOptions::as_of("2026-12-31".parse()?);
    /// let mut run = StatementRun::new(&program, &facts, options, Detail::Totals)?.forget_past_window();
    /// let start: prm_core::calendar::Date = "2026-01-01".parse()?;
    /// for day in 0..365 {
    ///     let date = start.add_days(day)?;
    ///     for n in 0..10 {
    ///         run.push(&Transaction::sale(&format!("T{day:03}-{n}"), "P1", date, "100.00".parse()?));
    ///     }
    /// }
    /// // Only the last 31 days of sales can still be refunded inside the window.
    /// assert!(run.retained() <= 31 * 10);
    /// assert_eq!(run.finish()?.totals.net.to_string(), "18250.00"); // 365 × 10 × 5.00
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn forget_past_window(mut self) -> StatementRun<'a> {
        let mut longest = Some(0i64);
        for plan in &self.plans {
            longest = match (longest, plan.window) {
                (Some(a), Some(w)) => Some(a.max(i64::from(w))),
                _ => None,
            };
        }
        self.horizon = longest;
        self
    }

    /// How many transactions the run retains so that later refunds can find
    /// them: every transaction so far, unless the run forgets those past the
    /// clawback window ([`StatementRun::forget_past_window`]).
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::commission::{CommissionFacts, Detail, StatementOptions, StatementRun, Transaction};
    /// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
    ///   "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}}"#)?;
    /// let facts = CommissionFacts::default();
    /// let mut run = StatementRun::new(&program, &facts, StatementOptions::as_of("2026-03-31".parse()?), Detail::Totals)?;
    /// run.push(&Transaction::sale("T1", "P1", "2026-02-01".parse()?, "100.00".parse()?));
    /// assert_eq!(run.retained(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn retained(&self) -> usize {
        self.entries.len()
    }

    /// Forgets the oldest transactions while they are more than `horizon`
    /// days before `today` and no record settled at the close still needs
    /// their shares.
    fn forget_expired(&mut self, today: Date, horizon: i64) {
        while let Some(oldest) = self.entries.oldest() {
            if oldest.date.days_until(today) <= horizon {
                return;
            }
            let (start, len) = oldest.shares;
            let end = start.saturating_add(len);
            let pinned = (start..end).any(|s| {
                self.shares
                    .get(s)
                    .and_then(|s| self.ledgers.get(s.ledger as usize))
                    .is_some_and(|l| l.deferred)
            });
            if pinned {
                return;
            }
            if !self.refunded.is_empty() {
                self.refunded.remove(&self.entries.first());
            }
            self.entries.forget_oldest();
            self.index.forget_oldest();
            if len > 0 {
                if !self.clawed.is_empty() {
                    for share in self.shares.first()..end {
                        self.clawed.remove(&share);
                    }
                }
                self.shares.forget_below(end);
            }
        }
    }

    /// Adds every transaction of `transactions` in order (date, sales first, id), reporting
    /// problems at `base[i]` with `i` the position in the slice.
    pub fn push_all(&mut self, transactions: &[Transaction], base: &JsonPath) {
        self.prepare_batch(transactions.iter().map(TransactionKey::of));
        let n = transactions.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            let (ta, tb) = (transactions.get(a), transactions.get(b));
            ta.map(order_key).cmp(&tb.map(order_key)).then(a.cmp(&b))
        });
        let items = order
            .into_iter()
            .filter_map(|index| transactions.get(index).map(|tx| Indexed { index, tx }));
        self.push_batch(items, base, n);
    }

    /// Remembers the date and kind of every transaction of a batch that one
    /// of its refunds names (for diagnosing a refund whose original comes
    /// later), and makes room for the batch.
    fn prepare_batch<'t>(&mut self, keys: impl Iterator<Item = TransactionKey<'t>> + Clone) {
        // A hash set: every transaction is looked up in it, and few are named.
        let named: HashSet<&str> = keys.clone().filter_map(|k| k.original_id).collect();
        let (mut n, mut id_len) = (0, None);
        for k in keys {
            n += 1;
            id_len.get_or_insert(k.id.len());
            if named.contains(k.id) {
                self.later.insert(k.id.to_owned(), (k.date, k.kind));
            }
        }
        self.reserve(n, id_len.unwrap_or(0));
    }

    /// Processes a batch's transactions in the order `items` gives them,
    /// reporting problems at `base[index]`; `len` is the number of items.
    fn push_batch<'t>(
        &mut self,
        items: impl Iterator<Item = Indexed<'t>>,
        base: &JsonPath,
        len: usize,
    ) {
        self.look_ahead(items, |run, item, warmed| {
            let loc = Loc {
                base: Some(base),
                index: item.index,
            };
            run.process(item.tx, loc, warmed);
        });
        self.pushed += len;
    }

    /// Prepares a batch whose transactions will come in chunks
    /// ([`StatementRun::push_chunk`]), from the keys of all of them in input
    /// order, so the batch need not be built all at once: a reader of a large
    /// table keeps one chunk of [`Transaction`]s instead of a million. The
    /// statements, lines and problems (with their paths) are those of
    /// [`StatementRun::push_all`] on the whole batch.
    ///
    /// Returns `false`, and prepares nothing, when the keys are not in the
    /// order a run takes transactions in (date, sales before refunds and
    /// cancellations, id): [`StatementRun::push_all`] sorts such a batch
    /// first, which needs all of it.
    ///
    /// # Example
    ///
    /// ```
    /// use prm_core::commission::{CommissionFacts, Detail, StatementOptions, StatementRun, Transaction, TransactionKey};
    /// use prm_core::JsonPath;
    /// let program = prm_core::Program::from_json(r#"{"schema_version": 1, "currency": "EUR",
    ///   "commissions": {"plans": [{"id": "std", "rates": [{"kind": "percent", "id": "base", "rate": "5%"}]}]}}"#)?;
    /// let sales: Vec<Transaction> = (1..=20)
    ///     .map(|d| Ok(Transaction::sale(&format!("T{d:02}"), "P1", format!("2026-02-{d:02}").parse()?, "100.00".parse()?)))
    ///     .collect::<Result<_, prm_core::Error>>()?;
    /// let facts = CommissionFacts::default();
    /// let options = StatementOptions::as_of("2026-03-31".parse()?);
    /// let mut run = StatementRun::new(&program, &facts, options, Detail::Totals)?;
    /// let keys: Vec<TransactionKey> = sales.iter().map(TransactionKey::of).collect();
    /// assert!(run.prepare_chunks(&keys));
    /// let at = JsonPath::root().key("transactions");
    /// for chunk in sales.chunks(8) {
    ///     run.push_chunk(chunk, &at);
    /// }
    /// assert_eq!(run.finish()?.totals.net.to_string(), "100.00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_chunks(&mut self, keys: &[TransactionKey<'_>]) -> bool {
        if !keys.iter().map(TransactionKey::order).is_sorted() {
            return false;
        }
        self.prepare_batch(keys.iter().copied());
        true
    }

    /// Adds the next chunk of a batch prepared by
    /// [`StatementRun::prepare_chunks`], in order, reporting problems at
    /// `base[i]` with `i` the transaction's position in the whole batch.
    /// The chunks, one after the other, must be the transactions whose keys
    /// were given.
    pub fn push_chunk(&mut self, chunk: &[Transaction], base: &JsonPath) {
        let first = self.pushed;
        let items = chunk.iter().enumerate().map(|(i, tx)| Indexed {
            index: first + i,
            tx,
        });
        self.push_batch(items, base, chunk.len());
    }

    /// Adds every transaction an iterator yields, in the order it yields them.
    ///
    /// The same as a [`StatementRun::push`] of each, only faster: it takes
    /// transactions from the iterator 16 ahead of processing them and, in
    /// the meantime, asks the processor for the memory each will touch (its
    /// id's index slot, its partner's ledger, where its record goes), so a
    /// stream over many partners waits for memory far less.
    pub fn extend<I, T>(&mut self, transactions: I)
    where
        I: IntoIterator<Item = T>,
        T: Borrow<Transaction>,
    {
        let transactions = transactions.into_iter();
        if self.horizon.is_none() {
            // Everything is kept: room for what the iterator says it holds,
            // instead of growing (and copying) the index as it fills. Its
            // lower bound is only a hint: a wrong or huge one must cost no
            // more than a bounded reservation.
            let (n, _) = transactions.size_hint();
            self.reserve(n.min(MOST_RESERVED), 0);
        }
        self.look_ahead(transactions, |run, tx, warmed| {
            run.push_to(tx.borrow(), warmed);
        });
    }

    /// Runs `process` on each item in order, [`ahead::AHEAD`] items after
    /// asking for the memory it will touch ([`StatementRun::warm`], then
    /// [`StatementRun::warm_tail`] halfway), with the ledger found for it.
    fn look_ahead<T: Borrow<Transaction>>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut process: impl FnMut(&mut Self, T, Warmed),
    ) {
        let mut ahead: Ahead<T, Warmed> = Ahead::default();
        for item in items {
            let warmed = self.warm(item.borrow());
            if let Some((due, warmed)) = ahead.put(item, warmed) {
                process(self, due, warmed);
            }
            if let Some(warmed) = ahead.halfway() {
                self.warm_tail(warmed.ledger);
            }
        }
        for (due, warmed) in ahead.drain() {
            process(self, due, warmed);
        }
    }

    /// Room for `n` more transactions with ids of about `id_len` bytes.
    fn reserve(&mut self, n: usize, id_len: usize) {
        self.index.reserve(n, id_len);
        self.entries.reserve(n);
        self.shares.reserve(n);
    }

    /// Asks for the memory `tx` will touch first, [`ahead::AHEAD`]
    /// transactions before it is processed: its id's index slot and, for a
    /// sale booked to one partner who has a ledger already, that ledger.
    /// Returns the ledger's number (`NONE` otherwise) and the id's hash, so
    /// neither is computed twice.
    fn warm(&self, tx: &Transaction) -> Warmed {
        let id_hash = IdHash::of(&tx.id);
        self.index.warm(id_hash);
        let mut warmed = Warmed {
            ledger: NONE,
            id_hash: Some(id_hash),
        };
        if !tx.splits.is_empty() || tx.is_reversal() {
            return warmed;
        }
        let Some(name) = self.names.get(&tx.partner_id) else {
            return warmed;
        };
        warmed.ledger = self.ledger_of.get(name as usize).copied().unwrap_or(NONE);
        if let Some(l) = self.ledgers.get(warmed.ledger as usize) {
            // The two cache lines a sale touches (`Ledger` is laid out for
            // this): the header, then the sums and the records' chunk.
            prefetch_index::prefetch_index(std::slice::from_ref(l), 0);
            prefetch_index::prefetch_index(std::slice::from_ref(&l.records), 0);
        }
        warmed
    }

    /// Asks for what the ledger points to, once the ledger (asked for by
    /// [`StatementRun::warm`]) is likely in cache: its period tables' sums
    /// (unless they are in the ledger) and where its next record will go.
    fn warm_tail(&self, ledger: u32) {
        if let Some(l) = self.ledgers.get(ledger as usize) {
            if let records::TableSums::Many(sums) = &l.table_gross
                && !sums.is_empty()
            {
                prefetch_index::prefetch_index(sums, 0);
            }
            l.records.warm();
        }
    }

    pub(super) fn intern(&mut self, id: &str) -> u32 {
        let n = self.names.intern(id);
        // A new name: it has no ledger yet.
        if n as usize >= self.ledger_of.len() {
            self.ledger_of.push(NONE);
        }
        n
    }

    /// Adds one transaction, with what [`StatementRun::warm`] found for it
    /// ([`Warmed::NOTHING`] when it was not warmed).
    fn process(&mut self, tx: &Transaction, loc: Loc<'_>, warmed: Warmed) {
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
        let entry = self.entries.next();
        let id_hash = warmed.id_hash.unwrap_or_else(|| IdHash::of(&tx.id));
        if !self.index.insert_new_hashed(&tx.id, id_hash, entry) {
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
            self.sale(tx, seq, loc, currency, fx, tx_info, entry, warmed.ledger)
        };
        if let Err(error) = result {
            self.problems.extend(error.problems().iter().cloned());
        }
    }

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
            let name = self.names.get(line.partner_id.as_str());
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
        if self.ledgers.iter().any(|l| l.parent != NONE) {
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
        } else {
            // Without two-tier overrides no ledger's close waits for another's
            // lines: each deferred ledger is priced and replayed in turn, while
            // its records are still in cache (one pass less over memory).
            for ledger in 0..self.ledgers.len() {
                if self.ledgers.get(ledger).is_some_and(|l| l.deferred)
                    && !self.close_in_units(idx(ledger)).ok_or_else(overflow)?
                {
                    self.price_deferred(idx(ledger)).ok_or_else(overflow)?;
                    self.replay(idx(ledger)).ok_or_else(overflow)?;
                }
            }
        }
        // Phase 4: period-level rules and the statements.
        let mut problems = Problems::new();
        // Closed in partner order, so the statements need no sorting (a partner has one ledger).
        let mut order: Vec<u32> = (0..self.ledgers.len())
            .filter(|&l| self.ledgers.get(l).is_some_and(|l| l.active))
            .map(idx)
            .collect();
        let mut statements = Vec::with_capacity(order.len());
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
    fn extend_gives_what_pushing_one_at_a_time_gives() {
        // `extend` looks ahead (ledgers found early, memory asked for): the
        // statements, lines and problems must be those of plain `push`es,
        // with new partners arriving mid-stream, splits, refunds, a
        // duplicate id and transactions out of order.
        let program = program(serde_json::json!([{"id": "p", "period_cap": "200.00",
            "rates": [{"kind": "percent", "id": "r", "rate": "10%"}],
            "brackets": [{"id": "t", "scope": "period",
                "brackets": [{"from": "0", "to": "500", "rate": "0%"}, {"from": "500", "rate": "5%"}]}]}]));
        let mut facts = CommissionFacts::default();
        facts.tier_history.insert(
            "P2".to_owned(),
            vec![TierChange {
                tier: "gold".to_owned(),
                from: date("2026-02-01"),
            }],
        );
        let mut txs = Vec::new();
        for i in 0..120u32 {
            let day = format!("2026-0{}-{:02}", 1 + i / 40, 1 + (i % 40) / 2);
            let partner = format!("P{}", 1 + (i * 7) % (2 + i / 10));
            let mut tx = sale(
                &format!("T{i:03}"),
                &partner,
                &day,
                &format!("{}.25", 50 + i),
            );
            if i % 11 == 0 {
                tx.splits = vec![
                    crate::commission::Split {
                        partner_id: "P1".to_owned(),
                        share: "0.6".parse().unwrap(),
                    },
                    crate::commission::Split {
                        partner_id: "P8".to_owned(),
                        share: "0.4".parse().unwrap(),
                    },
                ];
            }
            txs.push(tx);
            if i % 13 == 5 {
                txs.push(Transaction::refund(
                    &format!("T{i:03}r"),
                    &partner,
                    date(&day),
                    "20.00".parse().unwrap(),
                    &format!("T{i:03}"),
                ));
            }
        }
        txs.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let mut faulty = txs.clone();
        let last = txs.last().unwrap().id.clone();
        faulty.push(sale(&last, "P1", "2026-03-25", "10.00")); // a duplicate id
        faulty.push(sale("T999", "P1", "2026-01-02", "10.00")); // out of order
        let json = |r: Result<CommissionStatements, Error>| match r {
            Ok(s) => serde_json::to_string(&s).unwrap(),
            Err(e) => serde_json::to_string(&e.problems()).unwrap(),
        };
        for detail in [Detail::Lines, Detail::Totals] {
            for (input, clean) in [(&txs, true), (&faulty, false)] {
                let mut pushed = StatementRun::new(&program, &facts, options(), detail).unwrap();
                for tx in input {
                    pushed.push(tx);
                }
                let mut extended = StatementRun::new(&program, &facts, options(), detail).unwrap();
                extended.extend(input);
                let (a, b) = (pushed.finish(), extended.finish());
                assert_eq!(a.is_ok(), clean, "{:?}", a.as_ref().err());
                if let Ok(statements) = &a {
                    assert_eq!(statements.statements.len(), 13);
                    assert!(statements.totals.clawed_back < Decimal::ZERO);
                    assert!(statements.totals.capped > Decimal::ZERO);
                }
                let (a, b) = (json(a), json(b));
                assert!(
                    clean
                        || (a.contains("duplicate_id")
                            && a.contains("commission_stream_unordered")),
                    "{a}"
                );
                assert_eq!(a, b);
            }
        }
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

    fn year_of_sales(
        plans: serde_json::Value,
        per_day: usize,
    ) -> (Program, Vec<Transaction>, StatementOptions) {
        let program = program(plans);
        let start = date("2026-01-01");
        let mut txs = Vec::new();
        for day in 0..365 {
            let on = start.add_days(day).unwrap();
            for n in 0..per_day {
                txs.push(Transaction::sale(
                    &format!("T{day:03}-{n:02}"),
                    &format!("P{}", n % 7),
                    on,
                    "100.00".parse().unwrap(),
                ));
            }
        }
        (program, txs, StatementOptions::as_of(date("2026-12-31")))
    }

    #[test]
    fn stream_that_forgets_keeps_only_the_clawback_window() {
        let (program, txs, options) = year_of_sales(
            serde_json::json!([{"id": "p", "period": "year", "clawback_window_days": 30,
                "rates": [{"kind": "percent", "id": "r", "rate": "10%"}], "period_cap": "3000.00"}]),
            20,
        );
        let facts = CommissionFacts::default();
        let mut run = StatementRun::new(&program, &facts, options.clone(), Detail::Totals)
            .unwrap()
            .forget_past_window();
        let mut most = 0;
        for tx in &txs {
            run.push(tx);
            most = most.max(run.retained());
        }
        // 31 days of 20 sales (day 0 to day 30 are all inside the window).
        assert_eq!(most, 31 * 20);
        assert!(run.index.len() <= 31 * 20 + 1);
        let forgetting = run.finish().unwrap();
        let whole = crate::commission::statements(&program, &txs, &facts, &options).unwrap();
        assert_eq!(forgetting.totals, whole.totals);
        // Without forgetting, the index keeps the whole year.
        let mut run = StatementRun::new(&program, &facts, options, Detail::Totals).unwrap();
        run.extend(txs.iter());
        assert_eq!(run.retained(), 365 * 20);
    }

    #[test]
    fn stream_that_forgets_also_forgets_what_refunds_and_clawbacks_kept() {
        // A year of sales, every fifth half refunded ten days later: what was
        // refunded and clawed back so far is kept beside the entries, and is
        // forgotten with them.
        let (program, sales, options) = year_of_sales(
            serde_json::json!([{"id": "p", "period": "year", "clawback_window_days": 30,
                "rates": [{"kind": "percent", "id": "r", "rate": "10%"}]}]),
            10,
        );
        let mut txs = sales.clone();
        for sale in sales.iter().step_by(5) {
            let Ok(on) = sale.date.add_days(10) else {
                continue;
            };
            let mut refund = Transaction::sale(
                &format!("R{}", sale.id),
                &sale.partner_id,
                on,
                "50.00".parse().unwrap(),
            );
            refund.kind = TransactionKind::Refund;
            refund.original_id = Some(sale.id.clone());
            txs.push(refund);
        }
        txs.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let facts = CommissionFacts::default();
        let mut run = StatementRun::new(&program, &facts, options.clone(), Detail::Totals)
            .unwrap()
            .forget_past_window();
        let mut most = (0, 0);
        for tx in &txs {
            run.push(tx);
            most = (most.0.max(run.refunded.len()), most.1.max(run.clawed.len()));
        }
        // Refunds come ten days after their sale: at most 31 days of sales, a
        // fifth of them refunded, are remembered at once.
        assert!(most.0 > 0 && most.0 <= 31 * 2, "{most:?}");
        assert!(most.1 > 0 && most.1 <= 31 * 2, "{most:?}");
        let forgetting = run.finish().unwrap();
        let whole = crate::commission::statements(&program, &txs, &facts, &options).unwrap();
        // As JSON, so the amounts' scales count too.
        fn json<T: serde::Serialize>(value: &T) -> String {
            serde_json::to_string(value).unwrap_or_default()
        }
        assert_eq!(json(&forgetting.totals), json(&whole.totals));
        for (a, b) in forgetting.statements.iter().zip(&whole.statements) {
            assert_eq!(json(&a.totals), json(&b.totals));
            assert_eq!(json(&a.carry_forward), json(&b.carry_forward));
        }
        assert!(!whole.totals.clawed_back.is_zero());
    }

    #[test]
    fn stream_that_forgets_reports_a_refund_of_a_forgotten_sale() {
        let program = program(
            serde_json::json!([{"id": "p", "clawback_window_days": 30, "rates": [{"kind": "percent", "id": "r", "rate": "10%"}]}]),
        );
        let facts = CommissionFacts::default();
        let txs = [
            sale("T1", "P1", "2026-01-05", "100.00"),
            sale("T2", "P1", "2026-02-20", "100.00"),
            Transaction::refund(
                "R1",
                "P1",
                date("2026-02-20"),
                "40.00".parse().unwrap(),
                "T1",
            ),
        ];
        // Whole input: 46 days after the sale, outside the window, the refund reverses nothing.
        let whole = crate::commission::statements(&program, &txs, &facts, &options()).unwrap();
        assert_eq!(whole.totals.net.to_string(), "20.00");
        let mut run = StatementRun::new(&program, &facts, options(), Detail::Totals)
            .unwrap()
            .forget_past_window();
        run.extend(txs.iter());
        assert_eq!(run.retained(), 2);
        let err = run.finish().unwrap_err();
        let problem = &err.problems()[0];
        assert_eq!(problem.code().as_str(), "commission_original_missing");
        assert_eq!(problem.path(), "$.transactions[2].original_id");
    }

    #[test]
    fn plans_settled_at_the_close_keep_their_sales_until_then() {
        let (program, txs, options) = year_of_sales(
            serde_json::json!([{"id": "p", "period": "year", "clawback_window_days": 30,
                "brackets": [{"id": "t", "scope": "period",
                    "brackets": [{"from": "0", "to": "1000", "rate": "0%"}, {"from": "1000", "rate": "10%"}]}]}]),
            3,
        );
        let facts = CommissionFacts::default();
        let mut run = StatementRun::new(&program, &facts, options.clone(), Detail::Totals)
            .unwrap()
            .forget_past_window();
        run.extend(txs.iter());
        assert_eq!(run.retained(), 365 * 3);
        let forgetting = run.finish().unwrap();
        let whole = crate::commission::statements(&program, &txs, &facts, &options).unwrap();
        assert_eq!(forgetting.totals, whole.totals);
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
