//! The catalogues agree with each other and with the code; the formats are
//! the owner's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::catalogue::{EN_FTL, FR_FTL, count};
use super::words;
use super::*;
use crate::domain::{
    Currency, Money, OrderPaymentStatus, OrderStatus, PaymentStatus, Provider, Timestamp,
};
use crate::msg;

/// Each message's id and the arguments it uses, anywhere in its value,
/// attributes, selectors and variants.
fn messages(name: &str, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((_, errors)) => panic!("{name} has syntax errors: {errors:#?}"),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            Entry::Message(m) => {
                let mut vars = BTreeSet::new();
                if let Some(p) = &m.value {
                    pattern_vars(p, &mut vars);
                }
                for a in &m.attributes {
                    pattern_vars(&a.value, &mut vars);
                }
                let id = m.id.name.to_owned();
                assert!(
                    out.insert(id.clone(), vars).is_none(),
                    "{name}: {id} is defined twice"
                );
            }
            Entry::Junk { content } => panic!("{name}: cannot parse {content:?}"),
            Entry::Term(_)
            | Entry::Comment(_)
            | Entry::GroupComment(_)
            | Entry::ResourceComment(_) => {}
        }
    }
    out
}

fn pattern_vars(p: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for e in &p.elements {
        if let PatternElement::Placeable { expression } = e {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(e: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for v in variants {
                pattern_vars(&v.value, vars);
            }
        }
        Expression::Inline(i) => inline_vars(i, vars),
    }
}

fn inline_vars(e: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_owned());
        }
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
            for a in &arguments.named {
                inline_vars(&a.value, vars);
            }
        }
        InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for a in &arguments.positional {
                inline_vars(a, vars);
            }
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        InlineExpression::TermReference {
            arguments: None, ..
        }
        | InlineExpression::StringLiteral { .. }
        | InlineExpression::NumberLiteral { .. }
        | InlineExpression::MessageReference { .. } => {}
    }
}

#[test]
fn both_catalogues_have_the_same_messages_with_the_same_arguments() {
    let en = messages("en.ftl", EN_FTL);
    let fr = messages("fr.ftl", FR_FTL);
    let only_en: Vec<_> = en.keys().filter(|k| !fr.contains_key(*k)).collect();
    let only_fr: Vec<_> = fr.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");
    assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
    let differ: Vec<String> = en
        .iter()
        .filter(|(id, vars)| fr.get(*id) != Some(vars))
        .map(|(id, vars)| format!("{id}: en {vars:?}, fr {:?}", fr[id]))
        .collect();
    assert!(differ.is_empty(), "arguments differ: {differ:#?}");
}

/// The ids the code asks for: `msg!("id"`, `tr!(lang, "id"`, `.t("id")`.
fn ids_in(text: &str, out: &mut BTreeSet<String>) {
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        for (open, skip_first_arg) in [
            ("msg!(\"", false),
            ("fail!(\"", false),
            (".t(\"", false),
            ("tr!(", true),
        ] {
            let mut rest = code;
            while let Some(at) = rest.find(open) {
                rest = &rest[at + open.len()..];
                let from = if skip_first_arg {
                    match rest.find(", \"") {
                        Some(q) if !rest[..q].contains(')') || rest[..q].contains('(') => {
                            &rest[q + 3..]
                        }
                        _ => continue,
                    }
                } else {
                    rest
                };
                if let Some(end) = from.find('"') {
                    out.insert(from[..end].to_owned());
                }
            }
        }
    }
}

fn walk(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            ids_in(&std::fs::read_to_string(&path).unwrap(), out);
        }
    }
}

#[test]
fn every_id_the_code_uses_is_in_both_catalogues() {
    let mut used = BTreeSet::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut used,
    );
    assert!(used.len() > 3, "the scan found {used:?}");
    let en = messages("en.ftl", EN_FTL);
    let fr = messages("fr.ftl", FR_FTL);
    let missing: Vec<_> = used
        .iter()
        .filter(|id| !en.contains_key(*id) || !fr.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "used but not in both catalogues: {missing:?}"
    );
    for key in words::every_key() {
        assert!(en.contains_key(&key) && fr.contains_key(&key), "{key}");
    }
}

#[test]
fn english_words_are_the_words_themselves() {
    for s in OrderStatus::ALL {
        assert_eq!(Lang::En.word(*s), s.as_str());
    }
    for s in PaymentStatus::ALL {
        assert_eq!(Lang::En.word(*s), s.as_str());
    }
    for s in OrderPaymentStatus::ALL {
        assert_eq!(Lang::En.word(*s), s.as_str());
    }
    for p in Provider::ALL {
        assert_eq!(Lang::En.word(*p), p.as_str());
        assert_eq!(Lang::En.word(words::ProviderTitle(*p)), p.title());
    }
}

#[test]
fn french_status_words_are_the_seeds() {
    assert_eq!(Lang::Fr.word(OrderPaymentStatus::Paid), "Payée");
    assert_eq!(Lang::Fr.word(OrderPaymentStatus::Pending), "En attente");
    assert_eq!(Lang::Fr.word(OrderPaymentStatus::Failed), "Échouée");
    assert_eq!(Lang::Fr.word(OrderPaymentStatus::Refunded), "Remboursée");
    assert_eq!(Lang::Fr.word(PaymentStatus::Completed), "Terminé");
    assert_eq!(Lang::Fr.word(PaymentStatus::Failed), "Échoué");
    assert_eq!(Lang::Fr.word(PaymentStatus::Cancelled), "Annulé");
    assert_eq!(Lang::Fr.word(OrderStatus::Processing), "En cours");
    assert_eq!(Lang::Fr.word(OrderStatus::Shipped), "Expédiée");
    assert_eq!(Lang::Fr.word(OrderStatus::Delivered), "Livrée");
    assert_eq!(Lang::Fr.word(OrderStatus::Cancelled), "Annulée");
}

#[test]
fn the_command_line_takes_english_and_french_status_words() {
    use words::parse;
    assert_eq!(
        parse::<OrderPaymentStatus>("paid"),
        Ok(OrderPaymentStatus::Paid)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("payée"),
        Ok(OrderPaymentStatus::Paid)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("Payee"),
        Ok(OrderPaymentStatus::Paid)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("payé"),
        Ok(OrderPaymentStatus::Paid)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("en attente"),
        Ok(OrderPaymentStatus::Pending)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("en_attente"),
        Ok(OrderPaymentStatus::Pending)
    );
    assert_eq!(
        parse::<OrderPaymentStatus>("ÉCHOUÉE"),
        Ok(OrderPaymentStatus::Failed)
    );
    assert_eq!(
        parse::<PaymentStatus>("terminé"),
        Ok(PaymentStatus::Completed)
    );
    assert_eq!(
        parse::<PaymentStatus>("annule"),
        Ok(PaymentStatus::Cancelled)
    );
    // A word of another set is refused, naming both languages' words.
    let err = parse::<OrderPaymentStatus>("terminé").unwrap_err();
    assert!(err.contains("pending, paid, failed, refunded"), "{err}");
    assert!(
        err.contains("en attente, payée, échouée, remboursée"),
        "{err}"
    );
    assert!(parse::<PaymentStatus>("payée").is_err());
}

fn money(amount: &str, code: &str) -> Money {
    Money::parse(amount, Currency::parse(code).unwrap()).unwrap()
}

#[test]
fn french_amounts_follow_cldr_and_english_ones_are_unchanged() {
    assert_eq!(Lang::Fr.money(&money("89.90", "EUR")), "89,90\u{a0}€");
    assert_eq!(
        Lang::Fr.money(&money("45000", "XOF")),
        "45\u{202f}000\u{a0}F CFA"
    );
    assert_eq!(
        Lang::Fr.money(&money("1234567.05", "EUR")),
        "1\u{202f}234\u{202f}567,05\u{a0}€"
    );
    assert_eq!(Lang::Fr.money(&money("0.05", "EUR")), "0,05\u{a0}€");
    assert_eq!(Lang::Fr.money(&money("1.234", "KWD")), "1,234\u{a0}KWD");
    assert_eq!(Lang::Fr.decimal(&money("999", "XOF")), "999");
    assert_eq!(Lang::En.money(&money("45000", "XOF")), "45000 XOF");
    assert_eq!(Lang::En.money(&money("89.90", "EUR")), "89.90 EUR");
    assert_eq!(Lang::En.decimal(&money("1234.50", "EUR")), "1234.50");
    assert_eq!(Lang::En.count(1_234_567), "1,234,567");
    assert_eq!(Lang::Fr.count(1_234_567), "1\u{202f}234\u{202f}567");
    assert_eq!(Lang::Fr.count(-1000), "-1\u{202f}000");
}

fn ts(text: &str) -> Timestamp {
    crate::domain::parse_ts(text).unwrap()
}

#[test]
fn dates_are_the_owners_in_the_zone_asked_for() {
    let t = ts("2026-11-29T19:53:07Z");
    assert_eq!(Lang::Fr.datetime(t, &Zone::Utc), "29/11/2026 19:53");
    assert_eq!(Lang::En.datetime(t, &Zone::Utc), "2026-11-29 19:53");
    assert_eq!(Lang::Fr.day(t, &Zone::Utc), "29/11/2026");
    let paris = Zone::Fixed(
        chrono::FixedOffset::east_opt(3600).unwrap(),
        "Europe/Paris".into(),
    );
    assert_eq!(Lang::Fr.datetime(t, &paris), "29/11/2026 20:53");
    assert_eq!(Lang::En.stamp(t, &Zone::Utc), "2026-11-29T19:53:07.000Z");
    assert_eq!(Lang::En.stamp(t, &paris), "2026-11-29T20:53:07.000+01:00");
    assert_eq!(Lang::Fr.stamp(t, &paris), "29/11/2026 20:53:07");
    assert_eq!(
        Lang::En.stored("2026-11-29T19:53:07.123Z", &Zone::Utc),
        "2026-11-29 19:53"
    );
    assert_eq!(Zone::from_tz(None), Zone::Utc);
    assert_eq!(Zone::from_tz(Some(String::new())), Zone::Utc);
    assert_eq!(Zone::from_tz(Some("UTC".into())), Zone::Utc);
    assert_eq!(
        Zone::from_tz(Some("Africa/Dakar".into())).name(),
        "Africa/Dakar"
    );
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[test]
fn the_language_is_the_flag_then_tally_lang_then_the_locale() {
    let fr_locale = env(&[("LANG", "fr_FR.UTF-8"), ("TALLY_LANG", "en")]);
    assert_eq!(
        choose(Some(Lang::Fr), env(&[])).unwrap().reason,
        Reason::Flag
    );
    assert_eq!(choose(None, &fr_locale).unwrap().lang, Lang::En);
    assert_eq!(
        choose(None, env(&[("LANG", "fr_FR.UTF-8")])).unwrap(),
        Choice {
            lang: Lang::Fr,
            reason: Reason::Locale {
                var: "LANG",
                value: "fr_FR.UTF-8".into()
            }
        }
    );
    // LC_ALL first, then LC_MESSAGES, then LANG; an empty one is unset.
    let c = choose(None, env(&[("LC_ALL", "C"), ("LANG", "fr_FR.UTF-8")])).unwrap();
    assert_eq!(c.lang, Lang::En);
    let c = choose(
        None,
        env(&[("LC_ALL", ""), ("LC_MESSAGES", "fr_SN"), ("LANG", "C")]),
    )
    .unwrap();
    assert_eq!(c.lang, Lang::Fr);
    assert_eq!(choose(None, env(&[("LANG", "fr")])).unwrap().lang, Lang::Fr);
    assert_eq!(choose(None, env(&[])).unwrap(), Choice::default());
    assert_eq!(
        choose(None, env(&[("TALLY_LANG", "fr_FR")])).unwrap().lang,
        Lang::Fr
    );
    let err = choose(None, env(&[("TALLY_LANG", "de")])).unwrap_err();
    assert!(err.contains("\"de\"") && err.contains("fr, en"), "{err}");
    let c = choose(None, env(&[("TALLY_LANG", "fr")])).unwrap();
    assert_eq!(c.describe(), "Langue : français (TALLY_LANG=fr)");
    assert_eq!(
        Choice::default().describe(),
        "Language: English (no LC_ALL, LC_MESSAGES or LANG: the default)"
    );
}

#[test]
fn a_message_renders_its_arguments_in_its_language() {
    let m = msg!("lang-why-env", var = "LANG", value = "C");
    assert_eq!(m.to_string(), "LANG=C");
    assert_eq!(serde_json::to_value(&m).unwrap(), "LANG=C");
    let _ = count(3usize);
    // A missing id falls back to the id.
    assert_eq!(Lang::Fr.text(&Msg::new("no-such-id")), "no-such-id");
}

#[test]
fn every_demo_case_is_in_both_catalogues() {
    for (number, english) in crate::demo::SPECIAL {
        let key = format!("demo-case-{number}");
        assert_eq!(Lang::En.word_key(&key), *english, "{key}");
        assert_ne!(Lang::Fr.word_key(&key), key, "{key}");
    }
}

/// The errors rendered from the catalogue read, in English, exactly as
/// their `Display` (what logs, JSON and `{:#}` show) and what `tally`
/// printed before they were translated.
#[test]
fn english_error_messages_are_their_display() {
    use crate::domain::refund::Refusal;
    use crate::providers::api::ApiError;
    use crate::providers::credentials::CredentialError;
    use crate::sync::clients::ClientError;

    let credentials = [
        CredentialError::StripeNotUtf8,
        CredentialError::StripeEmpty,
        CredentialError::StripeApiKey { entry: 2 },
        CredentialError::WaveNotUtf8,
        CredentialError::WaveEmpty,
        CredentialError::WaveApiKey { entry: 1 },
        CredentialError::PaypalSimulator,
        CredentialError::StripeKeyKind,
        CredentialError::PaypalHalf("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"),
        CredentialError::PaypalMode("test".into()),
    ];
    for e in &credentials {
        assert_eq!(e.msg().en(), e.to_string());
        assert_ne!(Lang::Fr.text(&e.msg()), e.to_string(), "{e}");
    }
    let api = [
        ApiError::Status {
            provider: "Stripe",
            call: "list events".into(),
            status: 401,
            text: "Invalid API Key provided".into(),
        },
        ApiError::Timeout {
            provider: "PayPal",
            call: "token".into(),
            secs: 30,
            attempts: 6,
        },
        ApiError::Transport {
            provider: "Stripe",
            call: "list events".into(),
            host: "127.0.0.1:9".into(),
            reason: "refused".into(),
            attempts: 6,
        },
        ApiError::Malformed {
            provider: "Stripe",
            call: "list events".into(),
            reason: "no data".into(),
        },
        ApiError::BadUrl {
            provider: "Stripe",
            url: "ftp://x".into(),
            reason: "not https".into(),
        },
    ];
    for e in &api {
        assert_eq!(e.msg().en(), e.to_string());
    }
    let clients = [
        ClientError::NotConfigured {
            provider: "Stripe",
            var: "STRIPE_API_KEY",
        },
        ClientError::NoneConfigured,
        ClientError::Credentials(CredentialError::StripeKeyKind),
    ];
    for e in &clients {
        assert_eq!(e.msg().en(), e.to_string());
        assert_ne!(Lang::Fr.text(&e.msg()), e.to_string(), "{e}");
    }
    let refusals = [
        Refusal::Cash {
            number: "TEST1".into(),
        },
        Refusal::WaveNotCheckout {
            number: "TEST1".into(),
        },
        Refusal::WavePartial {
            number: "TEST1".into(),
            kept: 45_000,
            asked: Money::parse("1000", Currency::parse("XOF").unwrap()).unwrap(),
        },
        Refusal::NoCredentials {
            provider: "Stripe",
            var: "STRIPE_API_KEY",
        },
        Refusal::NoReference { provider: "PayPal" },
        Refusal::NothingKept {
            provider: "Stripe",
            pending: None,
        },
        Refusal::NothingKept {
            provider: "Stripe",
            pending: Some((1000, Currency::parse("EUR").unwrap())),
        },
        Refusal::MoreThanKept {
            provider: "Stripe",
            asked: Money::parse("100.00", Currency::parse("EUR").unwrap()).unwrap(),
            refundable: 8990,
        },
        Refusal::Zero(Money::parse("0", Currency::parse("EUR").unwrap()).unwrap()),
    ];
    for r in &refusals {
        assert_eq!(refusal(r).en(), r.to_string());
        assert_ne!(Lang::Fr.text(&refusal(r)), r.to_string(), "{r}");
    }
}

/// A statement import's refusal reads, in English, as its `Display`; in
/// French, where and what in French.
#[test]
fn statement_problems_read_as_their_display_in_english() {
    use crate::statement::{Problem, StatementError};
    let e = StatementError::Invalid(vec![
        Problem {
            file: "stripe.csv".into(),
            row: Some(4),
            column: Some("net".into()),
            message: msg!("stmtp-net-gross-minus-fee", g = "100", f = "3", n = "96"),
        },
        Problem {
            file: "paypal.csv".into(),
            row: None,
            column: None,
            message: msg!("stmtp-empty-file"),
        },
    ]);
    assert_eq!(e.localize(Lang::En), e.to_string());
    let fr = e.localize(Lang::Fr);
    assert!(
        fr.starts_with("2 problème(s), rien n'a été importé :\n  stripe.csv : ligne 4 : colonne \"net\" : net n'est pas brut − frais"),
        "{fr}"
    );
}
