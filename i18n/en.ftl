# tally's English catalogue. Every id here is in fr.ftl too, with the same
# arguments (the tests check). English texts are what tally always printed.
# Fluent syntax: https://projectfluent.org/fluent/guide/

## The language and how it was chosen (tally doctor)

lang-name-en = English
lang-name-fr = French
lang-in-use = Language: { $name } ({ $why })
lang-why-flag = --lang
lang-why-env = { $var }={ $value }
lang-why-default = no LC_ALL, LC_MESSAGES or LANG: the default

## Currencies after an amount (French only shows symbols)

currency-eur = EUR
currency-xof = XOF

## Closed sets of words: SET-WORD. In English, the word itself.

order-status-pending = pending
order-status-processing = processing
order-status-shipped = shipped
order-status-delivered = delivered
order-status-cancelled = cancelled
order-payment-status-pending = pending
order-payment-status-paid = paid
order-payment-status-failed = failed
order-payment-status-refunded = refunded
payment-status-pending = pending
payment-status-completed = completed
payment-status-failed = failed
payment-status-cancelled = cancelled
provider-stripe = stripe
provider-paypal = paypal
provider-wave = wave
provider-cash = cash
provider-title-stripe = Stripe
provider-title-paypal = PayPal
provider-title-wave = Wave
provider-title-cash = cash
log-result-applied = applied
log-result-duplicate = duplicate
log-result-stale = stale
log-result-orphan = orphan
log-result-ignored = ignored
log-result-rejected = rejected
log-result-error = error
event-state-applied = applied
event-state-duplicate = duplicate
event-state-stale = stale
event-state-orphan = orphan
event-state-ignored = ignored
event-state-failed = failed
signature-verified = verified
signature-invalid = invalid
signature-missing = missing
signature-expired = expired
signature-unconfigured = unconfigured
signature-not_checked = not_checked
orphan-state-open = open
orphan-state-linked = linked
orphan-state-dismissed = dismissed
movement-kind-authorised = authorised
movement-kind-captured = captured
movement-kind-released = released
movement-kind-refund = refund
movement-kind-dispute = dispute
movement-kind-owed = owed
refund-state-pending = pending
refund-state-succeeded = succeeded
refund-state-failed = failed
refund-state-cancelled = cancelled
dispute-state-inquiry = inquiry
dispute-state-inquiry_closed = inquiry_closed
dispute-state-open = open
dispute-state-reversed = reversed
dispute-state-won = won
dispute-state-prevented = prevented
dispute-state-lost = lost
movement-source-provider = provider
movement-source-owner = owner
movement-source-import = import
movement-source-migration = migration
status-source-owner = owner
status-source-provider = provider

## Errors

# What stands before an error on standard error.
error = error: { $text }
