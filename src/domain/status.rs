//! The closed sets of statuses, the payment providers, and the mapping
//! between an order's payment status and its payment's status.
//!
//! The mapping is the seed's, in both directions and bijective:
//!
//! | order `payment_status` | payment `status` |
//! |---|---|
//! | pending  | pending   |
//! | paid     | completed |
//! | failed   | failed    |
//! | refunded | cancelled |

/// A word that is not one of a closed set of values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind} (valid values: {})", valid.join(", "))]
pub struct ParseStatusError {
    pub kind: &'static str,
    pub value: String,
    pub valid: &'static [&'static str],
}

/// Declares a closed enum of lower-case words with `ALL`, `as_str`,
/// `Display`, `FromStr` (whose error lists the valid words) and `Serialize`.
macro_rules! closed_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value's word, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The lower-case word used in the database, the CLI and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::ParseStatusError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::domain::ParseStatusError { kind: $kind, value: s.to_owned(), valid: $name::WORDS }),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use closed_enum;

closed_enum! {
    /// Where an order is in its life.
    OrderStatus, "order status" {
        Pending => "pending",
        Processing => "processing",
        Shipped => "shipped",
        Delivered => "delivered",
        Cancelled => "cancelled",
    }
}

closed_enum! {
    /// The order's view of its payment (`orders.payment_status`).
    OrderPaymentStatus, "order payment status" {
        Pending => "pending",
        Paid => "paid",
        Failed => "failed",
        Refunded => "refunded",
    }
}

closed_enum! {
    /// The payment's own status (`payments.status`).
    PaymentStatus, "payment status" {
        Pending => "pending",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

closed_enum! {
    /// Who took the money.
    Provider, "provider" {
        Stripe => "stripe",
        Paypal => "paypal",
        Wave => "wave",
        Cash => "cash",
    }
}

impl OrderPaymentStatus {
    /// The payment status this order payment status maps to.
    pub fn to_payment(self) -> PaymentStatus {
        match self {
            OrderPaymentStatus::Pending => PaymentStatus::Pending,
            OrderPaymentStatus::Paid => PaymentStatus::Completed,
            OrderPaymentStatus::Failed => PaymentStatus::Failed,
            OrderPaymentStatus::Refunded => PaymentStatus::Cancelled,
        }
    }
}

impl PaymentStatus {
    /// The order payment status this payment status maps to.
    pub fn to_order(self) -> OrderPaymentStatus {
        match self {
            PaymentStatus::Pending => OrderPaymentStatus::Pending,
            PaymentStatus::Completed => OrderPaymentStatus::Paid,
            PaymentStatus::Failed => OrderPaymentStatus::Failed,
            PaymentStatus::Cancelled => OrderPaymentStatus::Refunded,
        }
    }
}

impl Provider {
    /// The provider's name as a shop owner writes it.
    pub fn title(self) -> &'static str {
        match self {
            Provider::Stripe => "Stripe",
            Provider::Paypal => "PayPal",
            Provider::Wave => "Wave",
            Provider::Cash => "cash",
        }
    }

    /// Whether the provider tells us of a payment's whole life through
    /// webhooks: its refunds and disputes too, so that a refund is made and
    /// confirmed at the provider. Wave's webhooks report payments only (no
    /// refund event is documented): a Wave refund is recorded by hand, and a
    /// Wave payment made outside Checkout or the QR code is confirmed by
    /// hand without a warning, like cash.
    pub fn sends_webhooks(self) -> bool {
        match self {
            Provider::Stripe | Provider::Paypal => true,
            Provider::Wave | Provider::Cash => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_is_the_seeds_in_both_directions() {
        use OrderPaymentStatus as O;
        use PaymentStatus as P;
        let table = [
            (O::Pending, P::Pending),
            (O::Paid, P::Completed),
            (O::Failed, P::Failed),
            (O::Refunded, P::Cancelled),
        ];
        for (order, payment) in table {
            assert_eq!(order.to_payment(), payment);
            assert_eq!(payment.to_order(), order);
        }
        assert_eq!(table.len(), O::ALL.len());
        assert_eq!(table.len(), P::ALL.len());
    }

    #[test]
    fn mapping_round_trips_for_every_value() {
        for &o in OrderPaymentStatus::ALL {
            assert_eq!(o.to_payment().to_order(), o);
        }
        for &p in PaymentStatus::ALL {
            assert_eq!(p.to_order().to_payment(), p);
        }
    }

    #[test]
    fn words_parse_case_insensitively_and_round_trip() {
        for &s in OrderStatus::ALL {
            assert_eq!(s.as_str().parse::<OrderStatus>(), Ok(s));
            assert_eq!(s.as_str().to_uppercase().parse::<OrderStatus>(), Ok(s));
        }
        for &p in Provider::ALL {
            assert_eq!(p.to_string().parse::<Provider>(), Ok(p));
        }
    }

    #[test]
    fn a_bad_word_names_the_valid_ones() {
        let err = "payed".parse::<OrderPaymentStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"payed\" is not a valid order payment status (valid values: pending, paid, failed, refunded)"
        );
        let err = "done".parse::<PaymentStatus>().unwrap_err();
        assert!(
            err.to_string()
                .contains("pending, completed, failed, cancelled")
        );
        assert!("".parse::<Provider>().is_err());
    }
}
