//! `tally statement import`: the providers' statement files into the
//! database, all of them or none.
//!
//! The files are parsed first ([`read_statement`], by the caller); any
//! problem in any file imports nothing. Then one `BEGIN IMMEDIATE`
//! transaction writes them, oldest period first so that the newer file wins
//! a line the provider rewrote: a file whose bytes were imported before is
//! skipped (re-importing changes nothing), each new file gets an audit row
//! (`statement_imported`), each rewritten line one more
//! (`statement_line_rewritten`, with what changed), and the customer lines
//! of every provider touched are matched again to the shop's payments.

use serde_json::json;

use crate::domain::{AuditEntry, AuditEvent, Provider, Timestamp};
use crate::statement::{Line, Statement, show_signed};
use crate::store::Store;
use crate::store::statements::LinesWritten;

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// These bytes were imported before (file id, when).
    Already {
        name: String,
        at: String,
    },
    Imported {
        name: String,
        written: LinesWritten,
    },
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub files: Vec<FileOutcome>,
    /// Per provider touched: customer lines matched, customer lines.
    pub matched: Vec<(Provider, usize, usize)>,
}

fn line_json(l: &Line) -> serde_json::Value {
    json!({
        "kind": l.kind,
        "status": l.status,
        "type": l.type_text,
        "gross": show_signed(l.gross, l.currency),
        "fee": show_signed(l.fee, l.currency),
        "net": show_signed(l.net, l.currency),
        "at": crate::domain::format_ts(l.at),
    })
}

/// Writes parsed statements in one transaction.
pub fn import_statements(
    store: &mut Store,
    mut statements: Vec<Statement>,
    actor: &str,
    now: Timestamp,
) -> rusqlite::Result<ImportOutcome> {
    statements.sort_by_key(|s| s.period.to);
    store.write(|tx| {
        let mut out = ImportOutcome::default();
        let mut touched: Vec<Provider> = Vec::new();
        for s in &statements {
            let provider = s.format.provider();
            if let Some(f) = tx.statement_file_by_hash(provider, &s.sha256)? {
                out.files.push(FileOutcome::Already {
                    name: s.name.clone(),
                    at: f.imported_at,
                });
                continue;
            }
            let (file_id, written) = tx.import_statement(s, actor, now)?;
            let entry =
                AuditEntry::new(AuditEvent::StatementImported, actor, now).with_details(json!({
                    "file": s.name,
                    "file_id": file_id,
                    "provider": provider,
                    "format": s.format.as_str(),
                    "period": s.period.to_string(),
                    "lines": s.lines.len(),
                    "new": written.new,
                    "unchanged": written.unchanged,
                    "rewritten": written.rewritten.len(),
                    "kept_newer": written.kept_newer,
                }));
            tx.insert_audit(None, None, &entry)?;
            for (old, new) in &written.rewritten {
                let entry = AuditEntry::new(AuditEvent::StatementLineRewritten, actor, now)
                    .with_details(json!({
                        "file": s.name,
                        "provider": provider,
                        "line": new.line_id,
                        "row": new.row,
                        "was": line_json(old),
                        "now": line_json(new),
                    }));
                tx.insert_audit(None, None, &entry)?;
            }
            if !touched.contains(&provider) {
                touched.push(provider);
            }
            out.files.push(FileOutcome::Imported {
                name: s.name.clone(),
                written,
            });
        }
        touched.sort();
        for provider in touched {
            let (matched, lines) = tx.rematch(provider)?;
            out.matched.push((provider, matched, lines));
        }
        Ok(out)
    })
}
