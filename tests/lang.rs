//! Scripts behave the same in every language: the same command sequence
//! run with `LANG=fr_FR.UTF-8` and with `LANG=C` gives the same JSON
//! (timestamps aside, which are "now") and the same exit codes, while the
//! text people read is in French in one and English in the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{Run, manifest, tally_with};

/// The sequence: every command with `--json`, every operation, the errors
/// a script may meet. (args, whether its standard output is JSON)
fn sequence(dir: &Path) -> Vec<(Vec<String>, bool)> {
    let shop = manifest("fixtures/import/shop.json").display().to_string();
    let ledger = manifest("fixtures/import/ledger.json")
        .display()
        .to_string();
    let export = dir.join("export.json").display().to_string();
    let csv = dir.join("csv");
    std::fs::create_dir_all(&csv).unwrap();
    let csv = csv.display().to_string();
    let json = |args: &[&str]| (args.iter().map(|s| (*s).to_owned()).collect(), true);
    let text = |args: &[&str]| (args.iter().map(|s| (*s).to_owned()).collect(), false);
    vec![
        text(&["import", &shop, &ledger]),
        json(&["check", "--json"]),
        json(&["check", "--json", "--rule", "status_mismatch"]),
        json(&["check", "--json", "--order", "LEDG1001"]),
        json(&["fix", "--dry-run", "--json"]),
        json(&["order", "show", "TEST1014", "--json"]),
        json(&["order", "show", "LEDG1002", "--json"]),
        text(&["order", "cancel", "TEST2001", "TEST2003", "NOPE"]),
        text(&["order", "validate", "TEST1008", "--reference", "T_WAVE_1"]),
        text(&["order", "validate", "TEST2001"]),
        text(&["order", "set-payment-status", "TEST2005", "paid"]),
        text(&["order", "set-payment-status", "TEST2005", "paid"]),
        text(&["payment", "set-status", "TEST2007", "failed"]),
        text(&["payment", "set-status", "TEST2007", "done"]),
        text(&["order", "show", "NOPE"]),
        text(&[
            "resolve",
            "TEST2001",
            "refund_awaiting_provider",
            "--note",
            "refunded",
        ]),
        json(&["fix", "--json"]),
        json(&["check", "--json"]),
        json(&["log", "--json"]),
        json(&["log", "TEST2001", "--json"]),
        json(&["orphans", "--json"]),
        json(&["webhooks", "--json"]),
        json(&["webhooks", "--failed", "--json"]),
        json(&["export"]),
        text(&["export", "--output", &export]),
        text(&["export", "--format", "csv", "--output", &csv]),
        text(&["export", "--format", "csv"]),
        text(&["log", "--limit", "0"]),
        json(&["check", "--json", "--order", "NOPE"]),
        // The providers' APIs without credentials: refused before any call.
        json(&["sync", "--json"]),
        json(&["sync", "stripe", "--json"]),
        json(&["sync", "wave", "--json", "--dry-run"]),
        text(&["refund", "TEST1014", "--dry-run"]),
        text(&["refund", "TEST1014", "TEST1001", "--yes"]),
        text(&["refund", "TEST1014"]),
        text(&["refund", "TEST1014", "TEST1001", "--amount", "1"]),
        text(&["order", "cancel", "TEST1014", "--refund", "--yes"]),
        text(&["order", "cancel", "TEST1014", "--refund"]),
    ]
}

/// Timestamps (RFC 3339, and the `hand-` references built from them)
/// replaced by a mark: they are "now", different in each run.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // YYYY-MM-DDTHH:MM:SS
        let stamp = i + 19 <= b.len()
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && b[i + 10] == b'T'
            && b[i + 13] == b':';
        if stamp {
            let mut j = i + 19;
            while j < b.len() && (b[j].is_ascii_digit() || b".Z+-:".contains(&b[j])) {
                j += 1;
            }
            out.push_str("<time>");
            i = j;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn run_all(lang: &str) -> Vec<(String, Run)> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let steps = sequence(dir.path());
    steps
        .into_iter()
        .map(|(args, _)| {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = tally_with(&db, &a, &[("LANG", lang), ("USER", "script")]);
            (args.join(" "), run)
        })
        .collect()
}

#[test]
fn the_same_commands_give_the_same_json_and_exit_codes_in_french_and_in_english() {
    let probe = tempfile::tempdir().unwrap();
    let json_steps: Vec<bool> = sequence(probe.path()).into_iter().map(|(_, j)| j).collect();
    let french = run_all("fr_FR.UTF-8");
    let english = run_all("C");
    assert_eq!(french.len(), english.len());
    let mut compared = 0;
    for (((what, fr), (_, en)), is_json) in french.iter().zip(&english).zip(json_steps) {
        assert_eq!(
            fr.code,
            en.code,
            "{what}: exit codes\n{}\n{}",
            fr.text(),
            en.text()
        );
        if is_json && en.code != 2 {
            assert_eq!(
                normalise(&fr.stdout),
                normalise(&en.stdout),
                "{what}: JSON differs"
            );
            assert!(
                serde_json::from_str::<serde_json::Value>(&en.stdout).is_ok(),
                "{what}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 14, "{compared} JSON outputs compared");

    // And people read their own language.
    let find = |runs: &[(String, Run)], what: &str| {
        runs.iter()
            .find(|(w, _)| w.starts_with(what))
            .map(|(_, r)| r.text())
            .unwrap()
    };
    let cancel_fr = find(&french, "order cancel");
    assert!(
        cancel_fr.contains("TEST2003 : annulée : commande Annulée"),
        "{cancel_fr}"
    );
    assert!(
        cancel_fr.contains("NOPE : ignorée : commande inconnue"),
        "{cancel_fr}"
    );
    assert!(cancel_fr.contains("2 annulées, 1 ignorée"), "{cancel_fr}");
    let cancel_en = find(&english, "order cancel");
    assert!(cancel_en.contains("2 cancelled, 1 skipped"), "{cancel_en}");
    let bad_fr = find(&french, "payment set-status TEST2007 done");
    assert!(
        bad_fr.contains("en attente, terminé, échoué, annulé"),
        "{bad_fr}"
    );
    let missing_fr = find(&french, "order show NOPE");
    assert!(
        missing_fr.contains("erreur : aucune commande numérotée \"NOPE\""),
        "{missing_fr}"
    );
    let refund_fr = find(&french, "refund TEST1014 TEST1001 --yes");
    assert!(
        refund_fr.contains("0 remboursée(s), 2 refusée(s), 0 inconnue(s)"),
        "{refund_fr}"
    );
    let refund_en = find(&english, "refund TEST1014 TEST1001 --yes");
    assert!(
        refund_en.contains("0 refunded, 2 refused, 0 unknown"),
        "{refund_en}"
    );
    let sync_fr = find(&french, "sync --json");
    assert!(
        sync_fr.contains("erreur : aucun identifiant d'API"),
        "{sync_fr}"
    );
    let missing_en = find(&english, "order show NOPE");
    assert!(
        missing_en.contains("error: no order numbered \"NOPE\""),
        "{missing_en}"
    );
}

#[test]
fn french_words_are_taken_on_the_command_line_and_the_language_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    let shop = manifest("fixtures/import/shop.json").display().to_string();
    assert_eq!(tally_with(&db, &["import", &shop], &[]).code, 0);
    // A French status word, in a French or an English locale.
    let run = tally_with(
        &db,
        &["order", "set-payment-status", "TEST2005", "Payée"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("order paid, payment completed"),
        "{}",
        run.text()
    );
    let run = tally_with(
        &db,
        &["payment", "set-status", "TEST2007", "échoué"],
        &[("TALLY_LANG", "fr")],
    );
    assert_eq!(run.code, 0, "{}", run.text());
    assert!(
        run.stdout.contains("paiement Échoué, commande Échouée"),
        "{}",
        run.text()
    );
    // --lang wins over TALLY_LANG, which wins over the locale.
    let both = [("TALLY_LANG", "en"), ("LANG", "fr_FR.UTF-8")];
    let run = tally_with(&db, &["order", "show", "TEST2005"], &both);
    assert!(
        run.stdout.contains("payment status  paid"),
        "{}",
        run.text()
    );
    let run = tally_with(&db, &["--lang", "fr", "order", "show", "TEST2005"], &both);
    assert!(
        run.stdout.contains("statut du paiement  Payée"),
        "{}",
        run.text()
    );
    // Amounts and dates in the owner's format, in the machine's zone.
    let run = tally_with(
        &db,
        &["order", "show", "TEST1001"],
        &[("LANG", "fr_SN.UTF-8"), ("TZ", "Africa/Dakar")],
    );
    assert!(
        run.stdout.contains("45\u{202f}000\u{a0}F CFA"),
        "{}",
        run.text()
    );
    let run = tally_with(&db, &["doctor"], &[("LC_ALL", "fr_FR.UTF-8")]);
    assert!(
        run.stdout.contains("langue") && run.stdout.contains("français (LC_ALL=fr_FR.UTF-8)"),
        "{}",
        run.text()
    );
    // A language tally does not speak is refused, nothing run.
    let run = tally_with(&db, &["check"], &[("TALLY_LANG", "de")]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("TALLY_LANG=\"de\""), "{}", run.text());
}
