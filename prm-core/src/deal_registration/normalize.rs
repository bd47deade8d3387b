//! Normalized company names and domains, and name similarity.

/// Legal-form suffixes removed from the end of company names, after normalization.
///
/// English, German, Hungarian, French, Italian, Spanish, Dutch, Nordic,
/// Polish and Czech forms; multi-word forms are written with spaces.
pub const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "pty",
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "ev",
    "kft",
    "zrt",
    "nyrt",
    "bt",
    "kkt",
    "sa",
    "sas",
    "sasu",
    "sarl",
    "srl",
    "spa",
    "sl",
    "slu",
    "bv",
    "nv",
    "vof",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "se",
    "sro",
    "sp z oo",
    "spzoo",
    "sp k",
    "sa de cv",
];

/// A company name reduced to what identifies it: accents folded, lower case,
/// punctuation dropped, and trailing legal forms removed (`ACME Corp.` → `acme`).
///
/// Steps, in order: fold accents to ASCII (`Zürich` → `zurich`, `ß` → `ss`);
/// lower-case; delete `.` and apostrophes (so `S.r.l.` → `srl`); turn every
/// other character that is not a letter or digit into a space; split into
/// words; remove legal forms from the end, repeatedly (`GmbH & Co. KG`), but
/// never the last word left. `extra_suffixes` adds the program's own forms.
///
/// ```
/// use prm_core::deal_registration::normalize_company_name;
/// assert_eq!(normalize_company_name("ACME Corp.", &[]), "acme");
/// assert_eq!(normalize_company_name("Müller & Söhne GmbH & Co. KG", &[]), "muller sohne");
/// assert_eq!(normalize_company_name("Duna Informatika Kft.", &[]), "duna informatika");
/// assert_eq!(normalize_company_name("Polska Sp. z o.o.", &[]), "polska");
/// assert_eq!(normalize_company_name("AG", &[]), "ag"); // never empties a name
/// ```
pub fn normalize_company_name(name: &str, extra_suffixes: &[String]) -> String {
    let folded = deunicode::deunicode(name).to_lowercase();
    let mut cleaned = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c == '.' || c == '\'' || c == '`' {
            continue;
        }
        cleaned.push(if c.is_ascii_alphanumeric() { c } else { ' ' });
    }
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    let extra: Vec<String> = extra_suffixes
        .iter()
        .map(|s| normalize_words(s).join(" "))
        .filter(|w| !w.is_empty())
        .collect();
    loop {
        let before = words.len();
        for suffix in LEGAL_SUFFIXES
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str))
        {
            let length = suffix.split(' ').count();
            if words.len() > length
                && words
                    .iter()
                    .rev()
                    .zip(suffix.split(' ').rev())
                    .all(|(word, part)| *word == part)
            {
                words.truncate(words.len() - length);
            }
        }
        if words.len() == before {
            break;
        }
    }
    words.join(" ")
}

fn normalize_words(text: &str) -> Vec<String> {
    let folded = deunicode::deunicode(text).to_lowercase();
    let cleaned: String = folded
        .chars()
        .filter(|c| !matches!(c, '.' | '\'' | '`'))
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().map(str::to_owned).collect()
}

/// A web domain reduced to its host: lower case, without scheme, `www.`,
/// path, port, trailing dot or e-mail local part; `None` when nothing is left.
///
/// ```
/// use prm_core::deal_registration::normalize_domain;
/// assert_eq!(normalize_domain("https://WWW.Acme.com/contact").as_deref(), Some("acme.com"));
/// assert_eq!(normalize_domain("sales@acme.com").as_deref(), Some("acme.com"));
/// assert_eq!(normalize_domain("acme.com.:443").as_deref(), Some("acme.com"));
/// assert_eq!(normalize_domain("  ").as_deref(), None);
/// assert_eq!(normalize_domain(". .").as_deref(), None); // regression: was `.`, then None
/// ```
pub fn normalize_domain(domain: &str) -> Option<String> {
    let mut text = domain.trim().to_lowercase();
    for scheme in ["https://", "http://", "mailto:"] {
        if let Some(rest) = text.strip_prefix(scheme) {
            text = rest.to_owned();
        }
    }
    if let Some((_, host)) = text.rsplit_once('@') {
        text = host.to_owned();
    }
    if let Some(end) = text.find(['/', '?', '#']) {
        text.truncate(end);
    }
    if let Some(end) = text.find(':') {
        text.truncate(end);
    }
    // Dots and spaces at either end are never part of a host; trim them
    // around `www.` so that normalizing twice changes nothing (`". ."`).
    let edge = |c: char| c == '.' || c.is_whitespace();
    let mut host = text.trim_matches(edge);
    while let Some(rest) = host.strip_prefix("www.") {
        host = rest.trim_matches(edge);
    }
    (!host.is_empty()).then(|| host.to_owned())
}

/// True when two normalized domains name the same customer: equal, or one a subdomain of the other.
pub fn same_domain(a: &str, b: &str) -> bool {
    a == b
        || a.strip_suffix(b).is_some_and(|rest| rest.ends_with('.'))
        || b.strip_suffix(a).is_some_and(|rest| rest.ends_with('.'))
}

/// Similarity of two normalized names from 0 to 1: Jaro-Winkler over the
/// names with spaces removed (so `acme tech` and `acmetech` are equal).
///
/// ```
/// use prm_core::deal_registration::name_similarity;
/// assert_eq!(name_similarity("acme", "acme"), 1.0);
/// assert!(name_similarity("acme systems", "acme sytems") > 0.92);
/// assert!(name_similarity("acme", "globex") < 0.6);
/// ```
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let compact = |s: &str| s.split_whitespace().collect::<String>();
    let (a, b) = (compact(a), compact(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    strsim::jaro_winkler(&a, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalize_across_languages() {
        for &(raw, want) in &[
            ("ACME Corp.", "acme"),
            ("Acme, Inc.", "acme"),
            ("acme ltd", "acme"),
            ("Acme LLC", "acme"),
            ("Zürich Versicherungs AG", "zurich versicherungs"),
            ("Kraków Systems S.A.", "krakow systems"),
            ("Budapesti Adat Zrt.", "budapesti adat"),
            ("Kis és Nagy Bt.", "kis es nagy"),
            ("Société Générale SAS", "societe generale"),
            ("Rossi S.r.l.", "rossi"),
            ("Rossi S.p.A.", "rossi"),
            ("Van Dijk B.V.", "van dijk"),
            ("Janssen N.V.", "janssen"),
            ("Tesco PLC", "tesco"),
            ("Straße & Co. KG", "strasse"),
            ("O'Brien Data Ltd.", "obrien data"),
            ("Álvarez y Cía S.L.", "alvarez y cia"),
            ("  Multiple   Spaces  GmbH ", "multiple spaces"),
            ("Co", "co"),
        ] {
            assert_eq!(normalize_company_name(raw, &[]), want, "{raw}");
        }
    }

    #[test]
    fn program_suffixes_are_removed_too() {
        assert_eq!(
            normalize_company_name("Nordic Data Holding", &["holding".into()]),
            "nordic data"
        );
        assert_eq!(
            normalize_company_name("Nordic Data Holding", &[]),
            "nordic data holding"
        );
    }

    #[test]
    fn domains_normalize() {
        for &(raw, want) in &[
            ("acme.com", Some("acme.com")),
            ("WWW.ACME.COM", Some("acme.com")),
            ("http://www.acme.com/", Some("acme.com")),
            ("https://acme.com?x=1", Some("acme.com")),
            ("Acme.com.", Some("acme.com")),
            ("jane.doe@Acme.com", Some("acme.com")),
            ("", None),
        ] {
            assert_eq!(normalize_domain(raw).as_deref(), want, "{raw}");
        }
        assert!(same_domain("eu.acme.com", "acme.com"));
        assert!(!same_domain("notacme.com", "acme.com"));
    }
}
