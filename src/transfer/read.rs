//! Reading import files: JSON or CSV bytes into raw rows, then every row
//! validated into an [`ImportSet`], every problem named by file, row and
//! field.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use serde_json::Value;

use super::{ImportSet, NewMovement, NewOrder, NewPayment, Problem, TransferError};
use crate::domain::ledger::{Flow, Movement, MovementKind, MovementSource};
use crate::domain::{Currency, Money, MoneyError, ParseStatusError, Provider, Timestamp, parse_ts};
use crate::i18n::{Msg, money_error, msg, status_error};

/// A parse error as a message: the words' and money's errors have their
/// own, anything else its text.
fn error_msg<E: fmt::Display + 'static>(e: &E) -> Msg {
    let any: &dyn std::any::Any = e;
    if let Some(e) = any.downcast_ref::<ParseStatusError>() {
        status_error(e)
    } else if let Some(e) = any.downcast_ref::<MoneyError>() {
        money_error(e)
    } else {
        msg!("plain", text = e.to_string())
    }
}

/// The fields of the kind of row, in the order export writes them.
pub(super) const ORDER_FIELDS: &[&str] = &[
    "number",
    "customer_name",
    "customer_email",
    "total",
    "currency",
    "status",
    "payment_status",
    "created_at",
    "updated_at",
    "paid_at",
    "cancelled_at",
];
/// The fields of the kind of row, in the order export writes them.
pub(super) const PAYMENT_FIELDS: &[&str] = &[
    "order",
    "provider",
    "reference",
    "amount",
    "currency",
    "status",
    "created_at",
    "updated_at",
    "completed_at",
    "provider_status",
    "captured_amount",
    "captured_currency",
    "charge_id",
    "refunded_amount",
    "refund_pending",
    "disputed",
];
/// The fields of the kind of row, in the order export writes them.
pub(super) const MOVEMENT_FIELDS: &[&str] = &[
    "order",
    "provider",
    "payment",
    "kind",
    "state",
    "amount",
    "currency",
    "provider_id",
    "flow_key",
    "at",
    "event_id",
    "source",
];

/// One row as field → text, whatever file it came from; absent and empty
/// fields are `None`.
struct RawRow {
    file: String,
    row: String,
    fields: BTreeMap<String, Option<String>>,
    problems: Vec<Problem>,
}

impl RawRow {
    fn problem(&mut self, field: Option<&str>, message: Msg) {
        self.problems.push(Problem {
            file: self.file.clone(),
            row: self.row.clone(),
            field: field.map(str::to_owned),
            message,
        });
    }

    fn check_known(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self
            .fields
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .cloned()
            .collect();
        for field in unknown {
            self.problem(
                Some(&field),
                msg!("import-unknown-field", known = known.join(", ")),
            );
        }
    }

    fn optional(&self, field: &str) -> Option<String> {
        self.fields
            .get(field)
            .cloned()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    fn required(&mut self, field: &str) -> Option<String> {
        let value = self.optional(field);
        let reported = self
            .problems
            .iter()
            .any(|p| p.field.as_deref() == Some(field));
        if value.is_none() && !reported {
            self.problem(Some(field), msg!("import-missing"));
        }
        value
    }

    fn parse<T: std::str::FromStr>(&mut self, field: &str, required: bool) -> Option<T>
    where
        T::Err: fmt::Display + 'static,
    {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(Some(field), error_msg(&e));
                None
            }
        }
    }

    fn time(&mut self, field: &str, required: bool) -> Option<Timestamp> {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match parse_ts(&text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problem(
                    Some(field),
                    msg!(
                        "import-not-a-timestamp",
                        text = format!("{text:?}"),
                        error = e.to_string()
                    ),
                );
                None
            }
        }
    }

    fn money(&mut self, field: &str, currency: Option<Currency>, required: bool) -> Option<Money> {
        let text = if required {
            self.required(field)?
        } else {
            self.optional(field)?
        };
        match Money::parse(&text, currency?) {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem(Some(field), money_error(&e));
                None
            }
        }
    }

    fn flag(&mut self, field: &str) -> Option<bool> {
        match self.optional(field).as_deref() {
            None | Some("false") | Some("0") => Some(false),
            Some("true") | Some("1") => Some(true),
            Some(other) => {
                self.problem(
                    Some(field),
                    msg!("import-not-a-boolean", text = format!("{other:?}")),
                );
                None
            }
        }
    }

    fn into_order(mut self) -> Result<NewOrder, Vec<Problem>> {
        self.check_known(ORDER_FIELDS);
        let number = self.required("number");
        let customer_name = self.required("customer_name");
        let customer_email = self.required("customer_email");
        if let Some(email) = &customer_email
            && !email.contains('@')
        {
            let m = msg!("import-not-an-email", text = format!("{email:?}"));
            self.problem(Some("customer_email"), m);
        }
        let currency = self.parse::<Currency>("currency", true);
        let total = self.money("total", currency, true);
        let status = self.parse("status", true);
        let payment_status = self.parse("payment_status", true);
        let created_at = self.time("created_at", true);
        let updated_at = self.time("updated_at", false);
        let paid_at = self.time("paid_at", false);
        let cancelled_at = self.time("cancelled_at", false);
        match (
            number,
            customer_name,
            customer_email,
            total,
            status,
            payment_status,
            created_at,
        ) {
            (
                Some(number),
                Some(customer_name),
                Some(customer_email),
                Some(total),
                Some(status),
                Some(payment_status),
                Some(created_at),
            ) if self.problems.is_empty() => Ok(NewOrder {
                number,
                customer_name,
                customer_email,
                total,
                status,
                payment_status,
                created_at,
                updated_at,
                paid_at,
                cancelled_at,
            }),
            _ => Err(self.problems),
        }
    }

    fn into_payment(mut self) -> Result<NewPayment, Vec<Problem>> {
        self.check_known(PAYMENT_FIELDS);
        let order = self.required("order");
        let provider = self.parse("provider", true);
        let reference = self.optional("reference");
        let currency = self.parse::<Currency>("currency", true);
        let amount = self.money("amount", currency, true);
        let status = self.parse("status", true);
        let created_at = self.time("created_at", true);
        let updated_at = self.time("updated_at", false);
        let completed_at = self.time("completed_at", false);
        let provider_status = self.optional("provider_status");
        let captured_currency = match self.optional("captured_currency") {
            Some(_) => self.parse::<Currency>("captured_currency", false),
            None => currency,
        };
        let captured = self.money("captured_amount", captured_currency, false);
        let charge_id = self.optional("charge_id");
        let refunded = self.money("refunded_amount", currency, false);
        let refund_pending = self.flag("refund_pending");
        let disputed = self.flag("disputed");
        match (
            order,
            provider,
            amount,
            status,
            created_at,
            refund_pending,
            disputed,
        ) {
            (
                Some(order),
                Some(provider),
                Some(amount),
                Some(status),
                Some(created_at),
                Some(refund_pending),
                Some(disputed),
            ) if self.problems.is_empty() => Ok(NewPayment {
                source: (self.file.clone(), self.row.clone()),
                order,
                provider,
                reference,
                amount,
                status,
                created_at,
                updated_at,
                completed_at,
                provider_status,
                captured,
                charge_id,
                refunded_minor: refunded.map_or(0, |m| m.minor()),
                refund_pending,
                disputed,
            }),
            _ => Err(self.problems),
        }
    }

    /// The flow of a movement of `kind`: refunds and disputes need a state
    /// of their own kind, the others take none.
    fn flow(&mut self, kind: MovementKind) -> Option<Flow> {
        let state = self.optional("state");
        let stateless = !matches!(kind, MovementKind::Refund | MovementKind::Dispute);
        if stateless && let Some(state) = state {
            self.problem(
                Some("state"),
                msg!(
                    "import-stateless",
                    state = format!("{state:?}"),
                    kind = kind.as_str()
                ),
            );
            return None;
        }
        match Flow::from_parts(kind, state.as_deref()) {
            Ok(flow) => Some(flow),
            Err(e) => {
                self.problem(Some("state"), msg!("plain", text = e));
                None
            }
        }
    }

    fn into_movement(mut self) -> Result<NewMovement, Vec<Problem>> {
        self.check_known(MOVEMENT_FIELDS);
        let order = self.required("order");
        let provider = self.parse("provider", true);
        let payment = self.optional("payment");
        let kind = self.parse::<MovementKind>("kind", true);
        let flow = kind.and_then(|k| self.flow(k));
        let currency = self.parse::<Currency>("currency", true);
        let amount = self.money("amount", currency, true);
        let provider_id = self.optional("provider_id");
        let key = self.optional("flow_key");
        let at = self.time("at", true);
        let event_id = self.optional("event_id");
        let recorded_by = self
            .parse::<MovementSource>("source", false)
            .unwrap_or(MovementSource::Import);
        match (order, provider, flow, amount, at) {
            (Some(order), Some(provider), Some(flow), Some(amount), Some(at))
                if self.problems.is_empty() =>
            {
                Ok(NewMovement {
                    source: (self.file.clone(), self.row.clone()),
                    order,
                    provider,
                    payment,
                    movement: Movement {
                        flow,
                        amount,
                        provider_id,
                        key,
                        at,
                        event_id,
                    },
                    recorded_by,
                })
            }
            _ => Err(self.problems),
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Orders,
    Payments,
    Movements,
}

/// Reads one file into raw rows, or a problem naming why it cannot be read.
fn read_file(path: &Path) -> Result<Vec<(Kind, RawRow)>, TransferError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TransferError::Read {
        path: name.clone(),
        source,
    })?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    parse_rows(&name, &bytes, json)
}

/// Splits one file's bytes into raw rows: JSON when `json` or when the text
/// starts with `{`, CSV otherwise.
fn parse_rows(name: &str, bytes: &[u8], json: bool) -> Result<Vec<(Kind, RawRow)>, TransferError> {
    let file_problem = |message: Msg| {
        TransferError::Invalid(vec![Problem {
            file: name.to_owned(),
            row: "file".to_owned(),
            field: None,
            message,
        }])
    };
    if json || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let doc: Value = serde_json::from_slice(bytes)
            .map_err(|e| file_problem(msg!("import-not-json", error = e.to_string())))?;
        json_rows(name, doc).map_err(file_problem)
    } else {
        csv_rows(name, bytes).map_err(file_problem)
    }
}

fn json_rows(name: &str, doc: Value) -> Result<Vec<(Kind, RawRow)>, Msg> {
    let Value::Object(mut top) = doc else {
        return Err(msg!("import-expected-object-arrays"));
    };
    let mut rows = Vec::new();
    for (key, kind) in [
        ("orders", Kind::Orders),
        ("payments", Kind::Payments),
        ("movements", Kind::Movements),
    ] {
        let list = match top.remove(key) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(list)) => list,
            Some(_) => return Err(msg!("import-must-be-array", key = key)),
        };
        for (i, item) in list.into_iter().enumerate() {
            let mut raw = RawRow {
                file: name.to_owned(),
                row: format!("{key}[{i}]"),
                fields: BTreeMap::new(),
                problems: Vec::new(),
            };
            match item {
                Value::Object(map) => {
                    for (field, value) in map {
                        let text = match value {
                            Value::Null => None,
                            Value::String(s) => Some(s),
                            Value::Bool(b) => Some(b.to_string()),
                            other => {
                                raw.problem(
                                    Some(&field),
                                    msg!("import-expected-string", found = other.to_string()),
                                );
                                continue;
                            }
                        };
                        raw.fields.insert(field, text);
                    }
                }
                _ => raw.problem(None, msg!("import-expected-object")),
            }
            rows.push((kind, raw));
        }
    }
    if let Some(extra) = top.keys().next() {
        return Err(msg!("import-unknown-key", key = format!("{extra:?}")));
    }
    Ok(rows)
}

fn csv_rows(name: &str, bytes: &[u8]) -> Result<Vec<(Kind, RawRow)>, Msg> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| msg!("import-csv-header", error = e.to_string()))?
        .clone();
    let has = |h: &str| headers.iter().any(|x| x == h);
    let kind = if has("number") {
        Kind::Orders
    } else if has("order") && has("kind") {
        Kind::Movements
    } else if has("order") && has("provider") {
        Kind::Payments
    } else {
        return Err(msg!("import-csv-unrecognised"));
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| msg!("import-csv-malformed", error = e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let fields = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_owned(), Some(v.to_owned())))
            .collect();
        rows.push((
            kind,
            RawRow {
                file: name.to_owned(),
                row: format!("line {line}"),
                fields,
                problems: Vec::new(),
            },
        ));
    }
    Ok(rows)
}

/// Reads and validates every file; any problem anywhere fails the whole set.
pub fn read_files(paths: &[&Path]) -> Result<ImportSet, TransferError> {
    validate(paths.iter().map(|p| read_file(p)))
}

/// Validates one document held in memory (JSON, or CSV), named `name` in
/// problems.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<ImportSet, TransferError> {
    validate(std::iter::once(parse_rows(name, bytes, false)))
}

fn validate(
    files: impl Iterator<Item = Result<Vec<(Kind, RawRow)>, TransferError>>,
) -> Result<ImportSet, TransferError> {
    let mut set = ImportSet::default();
    let mut problems = Vec::new();
    let mut order_rows: HashMap<String, String> = HashMap::new();
    // Payments without a reference, by (order, provider); the others are
    // told apart by their reference.
    let mut payment_rows: HashMap<(String, Provider), String> = HashMap::new();
    let mut references: HashMap<(Provider, String), String> = HashMap::new();
    for file in files {
        let rows = match file {
            Ok(rows) => rows,
            Err(TransferError::Invalid(p)) => {
                problems.extend(p);
                continue;
            }
            Err(e) => return Err(e),
        };
        for (kind, raw) in rows {
            let (file, row) = (raw.file.clone(), raw.row.clone());
            let dup = |field: &str, what: Msg, first: &str| Problem {
                file: file.clone(),
                row: row.clone(),
                field: Some(field.to_owned()),
                message: msg!("import-duplicate", what = what, first = first),
            };
            match kind {
                Kind::Orders => match raw.into_order() {
                    Ok(o) => {
                        let at = format!("{file}: {row}");
                        if let Some(first) = order_rows.insert(o.number.clone(), at) {
                            let what = msg!("import-dup-order", number = o.number.as_str());
                            problems.push(dup("number", what, &first));
                        }
                        set.orders.push(o);
                    }
                    Err(p) => problems.extend(p),
                },
                Kind::Payments => match raw.into_payment() {
                    Ok(p) => {
                        let at = format!("{file}: {row}");
                        match &p.reference {
                            Some(r) => {
                                if let Some(first) = references.insert((p.provider, r.clone()), at)
                                {
                                    let what = msg!(
                                        "import-dup-reference",
                                        provider = p.provider.as_str(),
                                        reference = r.as_str()
                                    );
                                    problems.push(dup("reference", what, &first));
                                }
                            }
                            None => {
                                if let Some(first) =
                                    payment_rows.insert((p.order.clone(), p.provider), at)
                                {
                                    let what = msg!(
                                        "import-dup-no-reference",
                                        provider = p.provider.as_str(),
                                        number = p.order.as_str()
                                    );
                                    problems.push(dup("reference", what, &first));
                                }
                            }
                        }
                        set.payments.push(p);
                    }
                    Err(p) => problems.extend(p),
                },
                Kind::Movements => match raw.into_movement() {
                    Ok(m) => set.movements.push(m),
                    Err(p) => problems.extend(p),
                },
            }
        }
    }
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(TransferError::Invalid(problems))
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::store::Store;
    use crate::transfer::import;
    use proptest::prelude::*;
    use serde_json::json;

    fn field_value() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "\\PC{0,12}".prop_map(Value::String),
            prop::sample::select(vec![
                "89.90",
                "45000",
                "45000.5",
                "EUR",
                "xof",
                "paid",
                "stripe",
                "2026-11-01T10:00:00Z",
                "TEST1001",
                "a@b.c",
                "captured",
                "refund",
                "dispute",
                "succeeded",
                "lost",
                "owner"
            ])
            .prop_map(|s| json!(s)),
        ]
    }

    fn row() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        let names = prop::sample::select(
            ORDER_FIELDS
                .iter()
                .chain(PAYMENT_FIELDS)
                .chain(MOVEMENT_FIELDS)
                .copied()
                .chain(["bogus"])
                .collect::<Vec<_>>(),
        );
        prop::collection::btree_map(names, field_value(), 0..12)
            .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    proptest! {
        #[test]
        fn any_bytes_give_a_set_or_problems(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = read_bytes("fuzz", &bytes);
        }

        #[test]
        fn any_json_rows_give_a_set_or_problems(
            orders in prop::collection::vec(row(), 0..4),
            payments in prop::collection::vec(row(), 0..4),
            movements in prop::collection::vec(row(), 0..4),
        ) {
            let doc = json!({"orders": orders, "payments": payments, "movements": movements})
                .to_string();
            match read_bytes("fuzz.json", doc.as_bytes()) {
                Ok(set) => {
                    // A valid set imports into an empty shop, or is refused
                    // for payments whose order is missing (movements whose
                    // payment is); never a panic.
                    let mut store = Store::open_in_memory().unwrap();
                    let _ = import(&mut store, &set, "fuzz", chrono::Utc::now());
                }
                Err(TransferError::Invalid(problems)) => prop_assert!(!problems.is_empty()),
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }

        #[test]
        fn any_csv_gives_a_set_or_problems(
            header in prop::sample::subsequence(ORDER_FIELDS.to_vec(), 0..ORDER_FIELDS.len()),
            cells in prop::collection::vec("[^\\n]{0,10}", 0..30),
        ) {
            let mut text = header.join(",");
            text.push('\n');
            text.push_str(&cells.join(","));
            let _ = read_bytes("fuzz.csv", text.as_bytes());
        }
    }
}
