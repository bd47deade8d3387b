//! A plan's transaction filters compiled to bits: which of its rates,
//! bracket tables and SPIFFs a share passes, found with two text lookups and
//! two table reads instead of comparing every filter's lists.
//!
//! A [`TransactionFilter`] holds when each of its lists is empty or names
//! the share's value (product, category, partner kind) and its
//! `registered_deal` is unset or agrees. [`Filters`] numbers a plan's
//! filters (up to [`Filters::MOST`]) and keeps, for each product and each
//! category any filter names, the filters whose list names it, plus the
//! filters that name none. A share's [`Passed`] is the intersection of the
//! four sets, so asking whether filter `i` holds is a bit test. A plan with
//! more filters compares the lists, filter by filter, as [`matches`] does.
//!
//! ```text
//! filter 0  when: {products: [CLOUD-SUITE]}
//! filter 1  when: {categories: [subscription]}
//! filter 2  when: {}
//!
//! products:   any 0b110, CLOUD-SUITE 0b001
//! categories: any 0b101, subscription 0b010
//!
//! share CLOUD-SUITE, subscription: (0b110 | 0b001) & (0b101 | 0b010) = 0b111: filters 0, 1, 2
//! share EDGE, hardware:             0b110 & 0b101                     = 0b100: filter 2
//! ```

use super::compiled::matches;
use super::plan::TransactionFilter;
use super::transaction::Transaction;
use crate::partner::PartnerKind;

/// One bit per filter.
type Bits = u128;

/// A text's length with its first and last eight bytes (overlapping below
/// sixteen bytes, zero-padded below eight): for texts of at most sixteen
/// bytes (product ids and categories usually are), equal keys mean equal
/// texts, so a lookup compares three words instead of calling `memcmp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    len: usize,
    head: u64,
    tail: u64,
}

/// The longest text whose [`Key`] alone tells it apart.
const KEYED: usize = 16;

impl Key {
    fn of(text: &str) -> Key {
        let bytes = text.as_bytes();
        let (head, tail) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            _ => {
                let mut head = [0u8; 8];
                for (to, from) in head.iter_mut().zip(bytes) {
                    *to = *from;
                }
                (u64::from_le_bytes(head), 0)
            }
        };
        Key {
            len: bytes.len(),
            head,
            tail,
        }
    }
}

/// The texts one list kind (products or categories) names, with the
/// filters that name each.
#[derive(Debug, Clone, Default)]
struct Named {
    /// The filters whose list of this kind is empty: they pass any value.
    any: Bits,
    /// Each named text with its key and the filters that name it, sorted
    /// by key, then text.
    texts: Vec<(Key, Box<str>, Bits)>,
}

/// Up to this many texts are searched one by one; past it, by halves.
const SCANNED: usize = 8;

impl Named {
    fn add(&mut self, filter: usize, list: &[String]) {
        let bit: Bits = 1 << filter;
        if list.is_empty() {
            self.any |= bit;
            return;
        }
        for text in list {
            let key = Key::of(text);
            match self.find(key, text) {
                Ok(at) => {
                    if let Some((_, _, bits)) = self.texts.get_mut(at) {
                        *bits |= bit;
                    }
                }
                Err(at) => self.texts.insert(at, (key, text.as_str().into(), bit)),
            }
        }
    }

    /// Where `text` (of key `key`) is, or where it would go.
    fn find(&self, key: Key, text: &str) -> Result<usize, usize> {
        self.texts
            .binary_search_by(|(k, t, _)| k.cmp(&key).then_with(|| (**t).cmp(text)))
    }

    /// The filters that pass `value`.
    fn passing(&self, value: Option<&str>) -> Bits {
        let Some(value) = value else {
            return self.any;
        };
        let key = Key::of(value);
        let named = if self.texts.len() <= SCANNED {
            self.texts
                .iter()
                .find(|(k, t, _)| *k == key && (key.len <= KEYED || **t == *value))
        } else {
            self.find(key, value).ok().and_then(|at| self.texts.get(at))
        };
        self.any | named.map_or(0, |(_, _, bits)| *bits)
    }
}

/// Where a partner kind's (or no kind's) filters are kept in [`Filters`].
const fn kind_slot(kind: Option<PartnerKind>) -> usize {
    match kind {
        Some(PartnerKind::Reseller) => 0,
        Some(PartnerKind::Distributor) => 1,
        Some(PartnerKind::Referral) => 2,
        Some(PartnerKind::Integrator) => 3,
        Some(PartnerKind::Msp) => 4,
        Some(PartnerKind::Consultant) => 5,
        Some(PartnerKind::Franchisee) => 6,
        Some(PartnerKind::Other) => 7,
        None => 8,
    }
}

/// The partner kinds, and no kind: one slot each.
const KINDS: usize = kind_slot(None) + 1;

/// A plan's filters, numbered in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    /// How many filters were added.
    count: usize,
    products: Named,
    categories: Named,
    /// By [`kind_slot`]: the filters that pass a partner of that kind.
    kinds: [Bits; KINDS],
    /// The filters that pass a transaction without (`[0]`) and with (`[1]`)
    /// a registered deal.
    deals: [Bits; 2],
}

impl Filters {
    /// The most filters compiled to bits; a plan with more compares lists.
    pub(crate) const MOST: usize = Bits::BITS as usize;

    /// Adds `when` as the next filter and returns its number.
    pub(crate) fn add(&mut self, when: &TransactionFilter) -> usize {
        let filter = self.count;
        self.count += 1;
        if filter >= Self::MOST {
            return filter;
        }
        let bit: Bits = 1 << filter;
        self.products.add(filter, &when.products);
        self.categories.add(filter, &when.categories);
        for (slot, passes) in self.kinds.iter_mut().enumerate() {
            let kind_passes = when.partner_kinds.is_empty()
                || when
                    .partner_kinds
                    .iter()
                    .any(|k| kind_slot(Some(*k)) == slot);
            if kind_passes {
                *passes |= bit;
            }
        }
        for (registered, passes) in self.deals.iter_mut().enumerate() {
            if when
                .registered_deal
                .is_none_or(|wanted| wanted == (registered == 1))
            {
                *passes |= bit;
            }
        }
        filter
    }

    /// Which filters `tx`, earned by a partner of `kind`, passes.
    pub(crate) fn passed(&self, tx: &Transaction, kind: Option<PartnerKind>) -> Passed {
        if self.count > Self::MOST {
            return Passed { bits: None };
        }
        let deal = usize::from(tx.deal_registration_id.is_some());
        let bits = self.products.passing(tx.product_id.as_deref())
            & self.categories.passing(tx.category.as_deref())
            & self.kinds.get(kind_slot(kind)).copied().unwrap_or(0)
            & self.deals.get(deal).copied().unwrap_or(0);
        Passed { bits: Some(bits) }
    }
}

/// The filters a share passes: bits, or (for a plan with more than
/// [`Filters::MOST`] filters) nothing, and each filter's lists are compared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Passed {
    bits: Option<Bits>,
}

impl Passed {
    /// Whether the filter numbered `number`, which is `when`, holds for
    /// `tx` earned by a partner of `kind`.
    pub(crate) fn holds(
        self,
        number: usize,
        when: &TransactionFilter,
        tx: &Transaction,
        kind: Option<PartnerKind>,
    ) -> bool {
        match self.bits {
            Some(bits) => {
                let holds = number < Filters::MOST && (bits >> number) & 1 == 1;
                // Every test in a debug build checks the bits, and so the
                // numbering, against the lists.
                debug_assert_eq!(holds, matches(when, tx, kind), "filter {number}");
                holds
            }
            None => matches(when, tx, kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;
    use proptest::prelude::*;

    fn filter(products: &[&str], categories: &[&str]) -> TransactionFilter {
        TransactionFilter {
            products: products.iter().map(|&p| p.to_owned()).collect(),
            categories: categories.iter().map(|&c| c.to_owned()).collect(),
            ..TransactionFilter::default()
        }
    }

    fn sale(product: Option<&str>, category: Option<&str>, deal: bool) -> Transaction {
        let mut tx = Transaction::sale(
            "T1",
            "P1",
            Date::default(),
            "100.00".parse().unwrap_or_default(),
        );
        tx.product_id = product.map(str::to_owned);
        tx.category = category.map(str::to_owned);
        tx.deal_registration_id = deal.then(|| "D1".to_owned());
        tx
    }

    /// The module's example: the reseller plan's filters.
    #[test]
    fn a_share_passes_the_filters_whose_lists_name_it() {
        let mut filters = Filters::default();
        let wanted = [
            filter(&["CLOUD-SUITE"], &[]),
            filter(&[], &["subscription"]),
            filter(&[], &[]),
        ];
        for (i, when) in wanted.iter().enumerate() {
            assert_eq!(filters.add(when), i);
        }
        let kind = Some(PartnerKind::Reseller);
        let holding = |tx: &Transaction| -> Vec<usize> {
            let passed = filters.passed(tx, kind);
            (0..wanted.len())
                .filter(|&i| wanted.get(i).is_some_and(|w| passed.holds(i, w, tx, kind)))
                .collect()
        };
        assert_eq!(
            holding(&sale(Some("CLOUD-SUITE"), Some("subscription"), false)),
            [0, 1, 2]
        );
        assert_eq!(holding(&sale(Some("EDGE"), Some("hardware"), false)), [2]);
        assert_eq!(holding(&sale(None, None, false)), [2]);
    }

    #[test]
    fn keys_tell_texts_of_up_to_sixteen_bytes_apart() {
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefghabcdefgh",
            "abcdefghabcdefgi",
            "xbcdefghabcdefgh",
            "abcdefgh\0",
            "abcdefgh\0\0",
            "abcdefghijklmno",
            "abcdefghXijklmnop",
            "café-ünï",
            "café-üni",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(Key::of(a) == Key::of(b), a == b, "{a:?} {b:?}");
            }
        }
        // Past sixteen bytes, the middle is not in the key: the text is compared.
        assert_eq!(
            Key::of("abcdefgh-1-ijklmnop"),
            Key::of("abcdefgh-2-ijklmnop")
        );
        assert_eq!(Key::of("abcdefghXijklmnop"), Key::of("abcdefghYijklmnop"));
        let mut named = Named::default();
        named.add(0, &["abcdefgh-1-ijklmnop".to_owned()]);
        named.add(1, &["abcdefgh-2-ijklmnop".to_owned()]);
        assert_eq!(named.passing(Some("abcdefgh-2-ijklmnop")), 0b10);
        assert_eq!(named.passing(Some("abcdefgh-3-ijklmnop")), 0);
        // Seventeen bytes, the first length whose middle byte is not in the key.
        named.add(2, &["abcdefghXijklmnop".to_owned()]);
        assert_eq!(named.passing(Some("abcdefghXijklmnop")), 0b100);
        assert_eq!(named.passing(Some("abcdefghYijklmnop")), 0);
    }

    #[test]
    fn each_partner_kind_passes_only_the_filters_naming_it() {
        let mut filters = Filters::default();
        let wanted: Vec<TransactionFilter> = ALL_KINDS
            .iter()
            .map(|k| TransactionFilter {
                partner_kinds: vec![*k],
                ..TransactionFilter::default()
            })
            .collect();
        for when in &wanted {
            filters.add(when);
        }
        let tx = sale(None, None, false);
        for kind in ALL_KINDS.iter().map(|k| Some(*k)).chain([None]) {
            let passed = filters.passed(&tx, kind);
            for (number, when) in wanted.iter().enumerate() {
                let named = kind.is_some_and(|k| when.partner_kinds == [k]);
                assert_eq!(
                    passed.holds(number, when, &tx, kind),
                    named,
                    "{kind:?} {number}"
                );
            }
        }
    }

    #[test]
    fn a_plan_of_exactly_the_most_filters_keeps_bits() {
        let mut filters = Filters::default();
        let other = filter(&["B"], &[]);
        for _ in 1..Filters::MOST {
            filters.add(&other);
        }
        let last = filter(&["A"], &[]);
        assert_eq!(filters.add(&last), Filters::MOST - 1);
        let tx = sale(Some("A"), None, false);
        let passed = filters.passed(&tx, None);
        assert!(passed.bits.is_some());
        assert!(passed.holds(Filters::MOST - 1, &last, &tx, None));
        assert!(!passed.holds(0, &other, &tx, None));
    }

    #[test]
    fn a_plan_past_the_most_filters_compares_lists() {
        let mut filters = Filters::default();
        let when = filter(&["A"], &[]);
        for _ in 0..=Filters::MOST {
            filters.add(&when);
        }
        let tx = sale(Some("A"), None, false);
        let passed = filters.passed(&tx, None);
        assert!(passed.holds(Filters::MOST, &when, &tx, None));
        assert!(!passed.holds(Filters::MOST, &when, &sale(Some("B"), None, false), None));
    }

    /// Texts of 0 to 19 bytes, non-ASCII ones, and long ones whose keys are
    /// equal (they differ in the middle). Filters name the first nine;
    /// shares have any.
    const TEXTS: [&str; 13] = [
        "",
        "A",
        "AB",
        "abcdefgh",
        "abcdefghijklmno",
        "abcdefghijklmnop",
        "abcdefgh-1-ijklmnop",
        "abcdefghXijklmnop",
        "café-ünï",
        "abcdefgh-2-ijklmnop",
        "abcdefghYijklmnop",
        "café-üni",
        "abcdefghijklmnoq",
    ];

    const ALL_KINDS: [PartnerKind; 8] = [
        PartnerKind::Reseller,
        PartnerKind::Distributor,
        PartnerKind::Referral,
        PartnerKind::Integrator,
        PartnerKind::Msp,
        PartnerKind::Consultant,
        PartnerKind::Franchisee,
        PartnerKind::Other,
    ];

    fn any_filter() -> impl Strategy<Value = TransactionFilter> {
        let names = || prop::collection::vec(prop::sample::select(TEXTS[..9].to_vec()), 0..3);
        let kinds = prop::collection::vec(prop::sample::select(ALL_KINDS.to_vec()), 0..3);
        (names(), names(), kinds, prop::option::of(any::<bool>())).prop_map(
            |(products, categories, partner_kinds, registered_deal)| TransactionFilter {
                products: products.into_iter().map(str::to_owned).collect(),
                categories: categories.into_iter().map(str::to_owned).collect(),
                partner_kinds,
                registered_deal,
            },
        )
    }

    proptest! {
        /// The bits say what comparing the lists says, for every filter and
        /// share, with few and with many (searched by halves) texts.
        #[test]
        fn prop_passed_agrees_with_comparing_the_lists(
            wanted in prop::collection::vec(any_filter(), 1..12),
            padding in 0usize..12,
            product in prop::option::of(prop::sample::select(TEXTS.to_vec())),
            category in prop::option::of(prop::sample::select(TEXTS.to_vec())),
            kind in prop::option::of(prop::sample::select(ALL_KINDS.to_vec())),
            deal in any::<bool>(),
        ) {
            let mut filters = Filters::default();
            // Filters naming texts no share has, so the lookups search by halves.
            for n in 0..padding {
                filters.add(&filter(&[&format!("P{n}")], &[&format!("Q{n}")]));
            }
            let numbers: Vec<usize> = wanted.iter().map(|w| filters.add(w)).collect();
            let tx = sale(product, category, deal);
            let passed = filters.passed(&tx, kind);
            for (w, n) in wanted.iter().zip(numbers) {
                prop_assert_eq!(passed.holds(n, w, &tx, kind), matches(w, &tx, kind));
            }
        }
    }
}
