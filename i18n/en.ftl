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
intent-state-requested = requested
intent-state-unknown = unknown
intent-state-pending = pending
intent-state-succeeded = succeeded
intent-state-failed = failed
intent-state-refused = refused
log-source-webhook = webhook
log-source-replay = replay
log-source-sync = sync
line-kind-charge = charge
line-kind-refund = refund
line-kind-dispute = dispute
line-kind-dispute_reversal = dispute_reversal
line-kind-fee = fee
line-kind-payout = payout
line-kind-conversion = conversion
line-kind-hold = hold
line-kind-release = release
line-kind-adjustment = adjustment
line-kind-transfer = transfer
line-kind-funding = funding
line-kind-purchase = purchase
line-kind-other = other
line-status-completed = completed
line-status-pending = pending
line-status-void = void
line-status-memo = memo
statement-format-stripe_balance = Stripe balance change from activity (itemized)
statement-format-paypal_activity = PayPal activity download
statement-format-paypal_statement = PayPal statement
statement-format-wave_transactions = Wave transactions
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
movement-source-statement = statement
status-source-owner = owner
status-source-provider = provider

## Errors

# What stands before an error on standard error.
error = error: { $text }
database-error = database error: { $error }
word-invalid = { $value } is not a valid { $kind } (valid values: { $valid })
kind-order-status = order status
kind-order-payment-status = order payment status
kind-payment-status = payment status
kind-provider = provider
kind-rule = rule
kind-other = { $kind }
money-unknown-currency = unknown currency code { $code } (expected an ISO 4217 code such as EUR or XOF)
money-not-decimal = amount { $amount } is not a decimal number (expected digits with an optional '.', e.g. "89.90")
money-too-many-decimals = amount { $amount } has { $found } decimals but { $currency } allows { $allowed }
money-negative = amount { $amount } is negative
money-overflow = amount { $amount } is too large
refusal-cash = a cash payment cannot be refunded through tally: give the money back, then record it with `tally payment record-refund { $number } --note ...`
refusal-wave-not-checkout = this Wave payment was not made through Wave Checkout (no checkout session): refund it in the Wave Business app, then record it with `tally payment record-refund { $number } --reference T_... --note ...`
refusal-wave-partial = Wave refunds only the whole payment ({ $kept }); for { $asked }, send it from the Wave Business app, then record it with `tally payment record-refund { $number } --amount { $asked_decimal } --note ...`
refusal-no-credentials = { $provider } API credentials are not configured ({ $var }): tally cannot refund through { $provider }
refusal-no-reference = the { $provider } payment has no { $provider } reference to refund
refusal-nothing-kept = the { $provider } payment keeps nothing to refund
refusal-nothing-kept-pending = the { $provider } payment keeps nothing to refund ({ $pending } already on its way back)
refusal-more-than-kept = { $asked } is more than the { $provider } payment keeps ({ $refundable } may still be refunded)
refusal-zero = --amount must be more than zero (got { $amount })

## The operations (order cancel, validate, set-payment-status; payment set-status, record-refund)

op-unknown-order = no order numbered { $number }
op-reference-taken = reference { $reference } is already used by order { $other }'s { $provider } payment
op-no-such-payment = order { $number } has no payment with reference { $reference } (its payments: { $known })
op-warn-refund-at-provider = { $number }: the customer was charged { $amount } at { $p }; cancelling here refunds nothing. Refund at { $p }: tally marks the refund as awaiting { $p } until its refund event arrives
op-warn-refund-by-hand = { $number }: the customer paid { $amount } by { $p }; refund them by hand, then record it with `tally resolve { $number } refund_awaiting_provider --note ...`
op-skip-payment-status-already = payment status is already { $status }
op-done-order-payment = order { $status }, payment { $target }
op-done-order-no-payment = order { $status } (no payment record)
op-skip-payment-already = payment is already { $status }
op-done-payment-order = payment { $status }, order { $target }
op-skip-no-payment = the order has no payment record
op-skip-already-cancelled = already cancelled
op-done-cancelled = order cancelled, payment cancelled
op-done-cancelled-no-payment = order cancelled (no payment record)
op-skip-validate-cancelled = the order is cancelled: a cancelled order cannot be validated
op-skip-validate-no-payment = the order has no payment record to validate
op-skip-already-validated = already validated
op-warn-validated-by-hand = { $number }: a { $p } payment validated by hand; check at { $p } that it was really captured (its webhook may have been lost)
op-done-validated = payment completed, order paid
op-refuse-provider-by-hand = --provider { $provider }: only a payment confirmed by hand (wave, cash) is recorded this way
op-refuse-provider-not-failed = { $number }: its { $provider } payment is { $status }; --provider records a new payment only after another provider's failed attempt (validate the existing one without --provider)
refund-note-empty = --note must say how the money went back
refund-no-payment = { $number } has no payment record: nothing to refund
refund-needs-reference = { $number }: a { $provider } refund needs --reference, the refund id { $provider } gave it (so that { $provider }'s own event for it is not counted twice)
refund-bad-amount = --amount { $text }: { $error }
refund-nothing-owed = { $number }: nothing is owed on the { $provider } payment; say how much with --amount
refund-zero = --amount must be more than zero (got { $amount })
refund-too-much = { $number }: { $amount } is more than the { $provider } payment keeps ({ $kept })
refund-already-recorded = refund { $id } is already recorded on this payment
refund-recorded = refund of { $amount } recorded ({ $id }); still owed { $owed }

## Order and payment commands: one line per order, then a summary

cli-outcome-done = { $number }: { $verb }: { $summary }
cli-outcome-warning = warning: { $text }
cli-outcome-skipped = { $number }: skipped: { $reason }
cli-verb-done = done
cli-verb-cancelled = cancelled
cli-verb-validated = validated
cli-bulk-cancelled = { $done } cancelled, { $skipped } skipped
cli-bulk-validated = { $done } validated, { $skipped } skipped
cli-no-such-order = no such order
cli-one-order-only = { $flag } names one payment: give a single order number with it ({ $given } given)
cli-limit = --limit must be at least 1 (got { $limit })

## tally order show, tally log

show-order-title = Order { $number }  { $name } <{ $email }>
show-total = total
show-status = status
show-payment-status = payment status
show-created = created
show-updated = updated
show-paid = paid
show-cancelled = cancelled
show-no-payment = No payment record.
show-payment-title = Payment  { $provider } { $reference }
show-no-reference = (no reference)
show-raw-status = (provider: { $raw })
show-amount = amount
show-captured = captured
show-refunded = refunded
show-refund = refund
show-refund-owed = owed to the customer, not yet confirmed
show-dispute = dispute
show-dispute-open = open (chargeback)
show-completed = completed
show-ledger-title = Payments (newest first) and their money
show-ledger-attempt = #{ $attempt } { $provider } { $reference }  { $status }  captured { $captured }  refunded { $refunded }  lost { $lost }  kept { $kept }
show-ledger-owed = owed { $owed }
show-ledger-fee = { $provider } fee { $fee }, net { $net } to the balance ({ $n } statement line(s))
show-audit-trail = Audit trail
show-none = (none)
audit-none = No audit rows.
audit-at = at
audit-event = event
audit-actor = actor
audit-order = order
audit-order-status = order status
audit-order-payment = order payment
audit-payment = payment
orphan-unknown = no orphan #{ $id } (see `tally orphans`)
orphan-closed = orphan #{ $id } is already { $state }
orphan-no-body = orphan #{ $id }: the body of event { $event_id } is not stored (only verified deliveries keep theirs)
orphan-unknown-row = no webhook log row #{ $id } (see `tally webhooks`)
orphan-not-replayable = webhook log row #{ $id } has no stored body: only verified deliveries can be replayed
orphan-event = orphan #{ $id }: { $error }

## The dashboard's actions: confirmations and summaries

act-these-completed = { $n ->
    [one] 1 of these is a completed { $provider } payment
   *[other] { $n } of these are completed { $provider } payments
}
act-warn-refund-at-provider = { $these }: { $verb } does not refund the customer at { $p }. Refund at { $p }; tally marks the refund as awaiting { $p } until its refund event arrives
act-warn-refund-by-hand = { $these }: { $verb } moves no money. Refund the customer by hand, then `tally resolve NUMBER refund_awaiting_provider --note ...`
act-verb-cancelling = cancelling
act-verb-setting-refunded = setting it refunded here
act-verb-cancelling-payment = cancelling the payment here
act-events-elsewhere = Acts on webhook events: open the Webhooks or Orphans view.
act-nothing-to-do = Nothing to do
act-cancel-says = Cancels { $n ->
    [one] { $n } order
   *[other] { $n } orders
} and their payments: order cancelled, payment cancelled, order payment status refunded.
act-cancel-already = { $n ->
    [one] { $n } is
   *[other] { $n } are
} already cancelled: skipped.
act-cancel-no-payment = { $n ->
    [one] { $n } has
   *[other] { $n } have
} no payment record: only the order is cancelled.
act-cancel-title = Cancel { $n ->
    [one] { $n } order
   *[other] { $n } orders
}
act-validate-says = Validates { $n ->
    [one] { $n } payment
   *[other] { $n } payments
} by hand: payment completed, order paid.
act-validate-why-cancelled = cancelled (a cancelled order cannot be validated)
act-validate-why-no-payment = without a payment record
act-validate-why-done = already validated
act-validate-skipped = { $n } { $why }: skipped.
act-validate-warn-webhooks = { $n ->
    [one] { $n } is a payment at
   *[other] { $n } are payments at
} { $p }: { $p } confirms its payments by webhook. Validate by hand only after checking at { $p } that the money was captured
act-validate-title = Validate { $n ->
    [one] { $n } payment
   *[other] { $n } payments
}
act-set-order-payment-says = Sets the payment status of { $n ->
    [one] { $n } order
   *[other] { $n } orders
} to { $status }, and their payments to { $target }.
act-already-status = { $n ->
    [one] { $n } is
   *[other] { $n } are
} already { $status }: skipped.
act-already-payment-status = { $n ->
    [one] { $n } is
   *[other] { $n } are
} already { $status }: skipped.
act-set-order-payment-title = Set { $n ->
    [one] { $n } order's
   *[other] { $n } orders'
} payment status to { $status }
act-set-payment-says = Sets { $n ->
    [one] { $n } payment
   *[other] { $n } payments
} to { $status }, and their orders' payment status to { $target }.
act-set-payment-no-payment = { $n ->
    [one] { $n } order has
   *[other] { $n } orders have
} no payment record: skipped.
act-set-payment-title = Set { $n ->
    [one] { $n } payment
   *[other] { $n } payments
} to { $status }
act-fix-says = Fixes { $n ->
    [one] { $n } finding
   *[other] { $n } findings
} the way `tally fix` does: each order judged again first, status mismatches carried from the winning side, missing timestamps filled.
act-fix-never = { $n ->
    [one] { $n } is never fixed by tally (money may have to move): left as it is; see each finding's action.
   *[other] { $n } are never fixed by tally (money may have to move): left as they are; see each finding's action.
}
act-fix-title = Fix { $n ->
    [one] { $n } finding
   *[other] { $n } findings
}
act-replay-says = Replays delivery #{ $id } ({ $provider } { $event } { $event_id }, { $result }): its stored verified body is processed again by the listener's own code path. The signature is not checked again (it passed when the event arrived).
act-replay-no-body = this delivery kept no verified body: the replay will be refused
act-replay-applied = Its event is already applied: a replay finds it a duplicate.
act-replay-title = Replay webhook delivery #{ $id }
act-link-names-other = the event itself names order { $named }, not { $number }
act-link-title = Link orphan #{ $id } to { $number }
act-link-says = Attaches orphan #{ $id } ({ $what }) to order { $number }'s payment and applies its event there, as if it had matched on arrival.
act-dismiss-title = Dismiss orphan #{ $id }
act-dismiss-says = Closes orphan #{ $id } ({ $what }) without applying its event: for an event dealt with elsewhere.
act-dismiss-warn = if money was taken for it, refund or attach it first: dismissing moves nothing
act-not-an-event = not an event: { $error }
act-failed-again = failed again: { $error }
act-linked = linked to { $number }: { $detail }
act-dismissed = dismissed
act-not-event-action = not an event action
act-not-order-action = not an order action
act-fix-never-by-itself = { $rule }: tally never fixes this by itself: { $action }
act-fixed = { $rule } fixed
act-fix-gone = { $rule }: no longer there when re-checked
act-fix-error = error: database error: { $error }

## The dashboard

dash-view-orders = Orders
dash-view-payments = Payments
dash-view-findings = Findings
dash-view-webhooks = Webhooks
dash-view-orphans = Orphans
dash-view-statements = Statements
dash-read-only = read-only (--read-only): actions are disabled
dash-nothing-to-clear = no search or filter to clear
dash-marks-cleared = { $n } marks cleared
dash-range-cancelled = range cancelled
dash-works-in = { $what } works in the { $view } view
dash-search-where = search works in Orders and Payments
dash-filter-where = filters work in Orders and Payments
dash-sort-where = sorting works in Orders and Payments
dash-nothing-to-mark = nothing to mark here
dash-actions-where = actions on orders work in Orders, Payments and Findings
dash-fix-where = f fixes findings: open the Findings view (3)
dash-what-replay = replay
dash-what-link = link
dash-what-dismiss = dismiss

## The dashboard's keys (the ? screen)

key-down = next row
key-up = previous row
key-page-down = next page
key-page-up = previous page
key-top = first row
key-bottom = last row
key-next-view = next view
key-prev-view = previous view
key-goto-view = Orders, Payments, Findings, Webhooks, Orphans
key-open = details: the order, its payment, audit trail, webhook events
key-search = search number, customer, email, payment reference
key-filter = filter by order status, payment status, provider
key-sort = sort by the next column
key-sort-reverse = reverse the sort
key-clear = clear the search and the filters
key-mark = mark or unmark the row
key-mark-range = start a range; again to mark every row in it
key-mark-all = mark every row the filter shows
key-unmark = clear the marks
key-cancel = cancel the orders and their payments
key-cancel-refund = cancel the orders and refund them through Stripe/PayPal/Wave
key-refund = refund what the orders keep through Stripe/PayPal/Wave
key-validate = validate (approve) payments confirmed by hand: Wave, cash
key-set-order-payment = set the order's payment status (carried to the payment)
key-set-payment = set the payment's status (carried to the order)
key-fix = Findings: fix what tally may fix
key-replay = Webhooks: replay the event
key-link = Orphans: link the event to an order
key-dismiss = Orphans: dismiss the event
key-confirm = confirm
key-decline = decline
key-and-refund = cancel: cancel and refund through the providers instead
key-close = close the search line, dialog, details or help
key-search-keep = search line: keep the search and leave the line
key-search-clear-line = search line: clear it
key-filter-change = filter dialog: change the value (↑/↓ choose the filter)
key-refresh = reload now (it also reloads itself)
key-sync = sync in the background: ask the providers what webhooks missed
key-help = this help
key-quit = quit (from the main view)
key-force-quit = quit from anywhere
key-group-move = Move
key-group-views = Views
key-group-find = Search, filter, sort
key-group-mark = Mark rows
key-group-act = Act on the marked rows (or the current one)
key-group-dialogs = Dialogs and the search line
key-group-general = General
key-name-space = Space
key-name-enter = Enter
key-name-esc = Esc
key-name-backtab = Shift-Tab
key-name-pgup = PgUp
key-name-pgdn = PgDn
key-name-home = Home
key-name-end = End
key-name-backspace = Backspace
dash-no-row = nothing to act on: no row here
dash-range-from = range from { $number }: move, then v again to mark it (Esc cancels)
dash-hint-search = search
dash-hint-filter = filter
dash-hint-sort = sort
dash-hint-mark = mark
dash-hint-cancel = cancel
dash-hint-validate = validate
dash-hint-details = details
dash-hint-replay = replay
dash-hint-link = link
dash-hint-dismiss = dismiss
dash-hint-fix = fix
dash-hint-type = type to search
dash-hint-keep = keep
dash-hint-clear = clear
dash-hint-help = help
dash-hint-quit = quit
dash-count-orders = { $n ->
    [one] { $n } order
   *[other] { $n } orders
}
dash-count-payments = { $n ->
    [one] { $n } payment
   *[other] { $n } payments
}
dash-counting-orders = counting orders…
dash-counting-payments = counting payments…
dash-no-rows = no rows yet
dash-no-match = nothing matches the search and filters (c clears them)
dash-col-number = Number
dash-col-date = Date
dash-col-customer = Customer
dash-col-total = Total
dash-col-kept = Kept
dash-col-status = Status
dash-col-order-pay = Order's pay.
dash-col-order-pay-short = Ord.pay.
dash-col-provider = Provider
dash-col-payment = Payment
dash-col-reference = Reference
dash-col-amount = Amount
dash-col-raw-status = Raw status
dash-col-order = Order
dash-col-received = Received
dash-col-source = Provider
dash-col-log-source = Source
dash-col-event = Event
dash-col-result = Result
dash-col-error = Error
dash-col-names-order = Names order
dash-col-fix = Fix
dash-col-wrong-todo = What is wrong → what to do
dash-fix-yes = fix
dash-no-delivery = no webhook delivery here
dash-tab-failed = { $n } failed
dash-webhooks-query = webhook log, newest first; ✗ failed
dash-no-deliveries = no webhook deliveries yet
dash-delivery-title = Webhook delivery #{ $id }
dash-f-received = received
dash-f-provider = provider
dash-f-source = source
dash-f-event = event
dash-f-event-id = event id
dash-f-signature = signature
dash-f-result = result
dash-f-event-state = event state
dash-f-http = HTTP status
dash-f-order = order
dash-f-error = error
dash-f-replayable = replayable
dash-replayable-yes = yes: `tally webhooks replay { $id }`
dash-replayable-no = no (no verified body kept)
dash-no-orphan = no orphan here
dash-type-number = type the order number to link to
dash-link-prompt-title = Link orphan #{ $id } to an order
dash-link-prompt-number = order number:
dash-link-prompt-keys = { $next } next (a confirmation) · { $cancel } cancel
dash-orphans-query = unresolved provider events, newest first
dash-no-orphans = no unresolved provider events
dash-orphan-title = Orphan #{ $id }
dash-f-reference = reference
dash-f-amount = amount
dash-f-names-order = names order
dash-orphan-how = link it: `tally orphans link { $id } ORDER`; dismiss it: `tally orphans dismiss { $id }`
dash-findings-marked = { $n } findings marked
dash-range-started = range started: move, then v again to mark it (Esc cancels)
dash-findings-query = check report: { $n } findings, { $fixable } fixable by tally
dash-checking = checking…
dash-check-failed = the check failed: { $error }
dash-checking-shop = checking the shop…
dash-nothing-to-report = nothing to report: orders and payments agree
dash-finding-title = Finding: { $rule }
dash-f-rule = rule
dash-f-means = means
dash-f-detail = detail
dash-f-action = action
dash-f-fixable = fixable
dash-yes = yes
dash-no = no
dash-sort-newest = newest
dash-sort-date = date
dash-sort-number = number
dash-sort-customer = customer
dash-sort-total = total
dash-sort-order-status = order status
dash-sort-payment-status = payment status
dash-sort-status = status
dash-filter-order-status = order status
dash-filter-payment-status = payment status
dash-filter-provider = provider
dash-filter-any = any
dash-filter-keys = ↑/↓ choose · ←/→ change · Esc close
dash-filter-title = Filter
dash-query-search = search "{ $text }"
dash-query-status = status
dash-query-payment = payment
dash-query-provider = provider
dash-query-filter = filter { $filters }
dash-query-sort = sort { $col }
dash-query-marked = { $n } marked
dash-query-range = range from { $from }
dash-range-here = here
dash-help-title = Keys (Esc closes)
dash-choose-order-payment = Set the order's payment status
dash-choose-payment = Set the payment's status
dash-declined = declined: nothing was changed
dash-working-keys = working… (Ctrl-c quits; each order is committed on its own)
dash-audited-as = Audited as { $actor }.
dash-cancel-and-refund = cancel and refund ({ $offer })
dash-working = working… { $done } of { $total }
dash-summary-done = Done: { $n }
dash-summary-skipped = Skipped: { $n }
dash-summary-todo = To do
dash-close = close
dash-choose-for = for { $n ->
    [one] 1 order
   *[other] { $n } orders
} (then a confirmation)
dash-choose-keys = { $pick } pick · { $cancel } cancel
dash-order-title = Order { $number }
dash-detail-title = { $title } (Esc closes, j/k scroll)
dash-d-payment = Payment
dash-d-no-payment = no payment record
dash-d-order = Order
dash-f-number = number
dash-f-customer = customer
dash-f-total = total
dash-f-status = status
dash-f-payment-status = payment status
dash-f-created = created
dash-f-updated = updated
dash-f-paid = paid
dash-f-cancelled = cancelled
dash-f-raw-status = raw status
dash-f-set-by = set by
dash-f-captured = captured
dash-f-completed = completed
dash-f-refund = refund
dash-f-dispute = dispute
dash-d-refund-owed = owed, not yet confirmed
dash-d-dispute-open = a chargeback is open
dash-d-attempts = Payments ({ $n }, newest first) and their money
dash-d-main-payment = the order's payment
dash-d-provider-fee = provider fee
dash-d-net = net
dash-d-statement-lines = { $n } statement line(s)
dash-fig-captured = captured
dash-fig-refunded = refunded
dash-fig-refunds-pending = refunds pending
dash-fig-refunds-failed = refunds failed
dash-fig-disputed = disputed
dash-fig-lost = lost
dash-fig-kept = kept
dash-fig-owed = owed
dash-d-nothing-captured = nothing captured
dash-d-findings = Findings ({ $n })
dash-d-no-findings = none: order and payment agree
dash-d-audit = Audit trail ({ $n })
dash-d-no-audit = no changes recorded
dash-d-change-order = order { $change }
dash-d-change-order-payment = order payment { $change }
dash-d-change-payment = payment { $change }
dash-d-webhooks = Webhook events ({ $n })
dash-d-no-webhooks = none received for this order
dash-too-small = terminal too small: { $width }×{ $height }
    tally dash needs at least { $min_width }×{ $min_height }
    (q quits)
dash-title = tally dash · { $db } · actor { $actor }
dash-title-read-only = READ-ONLY
dash-title-zone = dates in { $zone }
dash-count-failed = count failed: { $error }
dash-row-gone = that row is gone
dash-marked-cap = marked the first { $n } rows (the most at once): narrow the search or filters for the rest
dash-rows-marked = { $n } rows marked

## tally check: the rules, the facts of each finding, the action to take

rule-status_mismatch = the order's payment status is not its payment's mapped status
rule-paid_without_payment = an order marked paid with no payment record
rule-amount_mismatch = a completed payment for another amount than the order's total
rule-currency_mismatch = a completed payment in another currency than the order's
rule-cancelled_but_captured = a cancelled order that keeps more than it owes back: the customer was charged
rule-refund_awaiting_provider = cancelled in tally, the refund owed not yet made (the amount still to refund)
rule-disputed = an open dispute (chargeback or inquiry) on a payment
rule-missing_timestamp = paid without paid_at, completed without completed_at, or cancelled without cancelled_at
rule-stale_pending = a payment pending for too long
rule-orphan_transaction = a provider event that matched no local payment
rule-webhook_failed = a provider event whose processing failed and was never applied
rule-fulfilled_unpaid = an order shipped or delivered whose money is missing (nothing captured, a failed debit, a lost dispute)
rule-dispute_lost = money taken back by a lost dispute or a reversal not reinstated
rule-refund_failed = a refund the provider reports failed: the customer was not repaid
rule-duplicate_payment = more than one payment of one order keeps money
rule-missing_at_provider = money the ledger captured or refunded that the provider's statement for that date does not show
rule-unknown_to_tally = money the provider's statement shows received or refunded that no payment in tally matches
rule-statement_mismatch = the provider's statement shows another amount or currency than the ledger for a payment or refund
rule-unrecorded_refund = a refund the provider's statement shows that the ledger does not have
rule-unrecorded_dispute = a dispute the provider's statement shows that the ledger does not have
why-prefer-payment = --prefer payment
why-prefer-order = --prefer order
why-provider-event = the payment's status was set by a verified { $provider } event
why-order-last = the order changed last
why-payment-last = the payment changed last
why-tie = both changed at the same time: the payment wins ties
finding-paid-without-payment = order paid ({ $total }), no payment record
action-paid-without-payment = find the payment: import it, or `tally order set-payment-status { $number } pending` if it never came
finding-stale-pending = { $provider } payment pending for { $time }
action-stale-pending = check at { $provider } or with the customer, then `tally order validate { $number }` or `tally order cancel { $number }`
time-days = { $n } days
time-hours = { $n } hours
finding-status-mismatch = order { $order }, payment { $payment }
action-mismatch-cancelled-captured = not fixed automatically while the cancelled order's payment is captured: settle that first
action-set-order-payment = set the order's payment status to { $status } ({ $reason })
action-set-payment = set the payment's status to { $status } ({ $reason })
finding-missing-timestamp = missing { $fields }
action-missing-timestamp = fill { $fields } from the audit log, else from updated_at
payment-named = { $provider } payment { $reference }
payment-named-attempt = { $provider } payment #{ $attempt }
finding-captured-other = order { $total }, { $provider } captured { $charged }
action-currency-mismatch = check the payment at { $provider }: refund and charge again in { $currency }, or correct the order
action-paid-less = the customer paid less than the total: collect or refund the difference at { $provider }, or correct the order
action-paid-more = the customer paid more than the total: collect or refund the difference at { $provider }, or correct the order
finding-cancelled-keeps = order cancelled, the { $payment } keeps { $extra }
action-cancelled-keeps-provider = refund { $extra } at { $provider } (its refund event will clear this), or reopen the order
action-cancelled-keeps-hand = refund { $extra } by hand, then `tally payment record-refund { $number } --amount { $amount } --note ...`
finding-refund-owed = cancelled in tally, { $owed } still to refund on the { $payment }
action-refund-owed-provider = refund { $owed } at { $provider } if not done; its refund event clears this (or `tally resolve { $number } refund_awaiting_provider --note ...`)
action-refund-owed-hand = refund { $owed } by hand, then `tally payment record-refund { $number } --note ...`
finding-inquiry = inquiry
finding-chargeback = chargeback
finding-disputed = { $what }{ $id } for { $amount } on the { $payment }
action-disputed = answer the dispute at { $provider }; once settled, `tally resolve { $number } disputed --note ...`
finding-dispute-lost = { $amount } taken back by { $provider }{ $id } on the { $payment }
action-dispute-lost = the money is gone: stop the goods if they have not left, else write it off; then `tally resolve { $number } dispute_lost --note ...`
finding-refund-failed = refund{ $id } of { $amount } failed on the { $payment }
action-refund-failed = the customer has not been repaid: refund again at { $provider } (or by another means), then `tally resolve { $number } refund_failed --note ...`
finding-fulfilled-unpaid = order { $status }, { $missing } of { $total } not paid
action-fulfilled-unpaid = the goods left unpaid: collect { $missing } from the customer, or stop the shipment; once settled, `tally resolve { $number } fulfilled_unpaid --note ...`
finding-paid-twice = paid twice: the { $main } and the { $other } both keep money
action-paid-twice = refund { $extra } of the { $other } (`tally payment record-refund { $number } --payment { $reference }` once done by hand)
finding-orphan = orphan #{ $id }: { $provider } { $event_type } { $reference }{ $amount }: { $why }
finding-orphan-amount = {" "}{ $amount }
finding-orphan-note = { $note }
finding-orphan-names-order = names order { $number }, whose payment holds another reference: a possible double charge
finding-orphan-no-match = matched no payment
action-orphan = attach it with `tally orphans link { $id } ORDER`, or `tally orphans dismiss { $id }` once dealt with
finding-webhook-failed = { $provider } { $event_type } { $event_id } failed: { $error }
finding-unknown-error = unknown error
action-webhook-failed = see `tally webhooks --failed`; once the cause is fixed, `tally webhooks replay ID` (the provider also retries)

## tally check's report

check-col-order = order
check-col-facts = facts
check-col-action = action
check-col-done = done
check-col-plan = plan
check-col-rule = rule
check-col-findings = findings
check-fix-will = tally fix will: { $action }
check-fixed = Fixed { $n } finding(s):
check-dry-run = Dry run: `tally fix` would fix { $n } finding(s), and nothing was written:
check-nothing = Checked { $orders } orders: nothing to report.
check-findings = Checked { $orders } orders: { $n } finding(s).
dash-no-terminal = tally dash needs a terminal (standard output is not one); use `tally check` or `tally export` in scripts
dash-no-takeover = cannot take over the terminal: { $error }

## Import, export, the database

plain = { $text }
# Messages joined in a list: { $a } then { $b }.
join = { $a }{ $sep }{ $b }
import-invalid = { $n } problem(s), nothing imported:
import-cannot-read = cannot read { $path }: { $error }
export-cannot-write = cannot write { $path }: { $error }
import-csv-error = CSV error: { $error }
import-json-error = JSON error: { $error }
import-unknown-field = unknown field (known fields: { $known })
import-missing = missing (required)
import-not-a-timestamp = { $text } is not an RFC 3339 timestamp (e.g. 2026-11-01T10:00:00Z): { $error }
import-not-a-boolean = { $text } is not a boolean (valid values: true, false)
import-not-an-email = { $text } is not an email address
import-stateless = { $state }: a { $kind } movement has no state (only refund and dispute movements do)
import-not-json = not valid JSON: { $error }
import-expected-object-arrays = expected a JSON object with "orders", "payments" and/or "movements" arrays
import-must-be-array = "{ $key }" must be an array
import-expected-string = expected a string, found { $found } (amounts are decimal strings such as "89.90")
import-expected-object = expected an object
import-duplicate = { $what } already appears at { $first }
import-csv-header = cannot read the CSV header: { $error }
import-csv-unrecognised = unrecognised CSV header: an orders file has a "number" column, a payments file "order" and "provider" columns, a movements file "order" and "kind" columns
import-csv-malformed = malformed CSV: { $error }
import-dup-order = order { $number }
import-dup-reference = { $provider } reference { $reference }
import-dup-no-reference = a { $provider } payment of order { $number } without a reference
import-unknown-key = unknown top-level key { $key } (expected "orders", "payments" and "movements")
import-order-unknown = order { $number } is neither in the import nor in the database
import-reference-taken = { $provider } reference { $reference } already belongs to order { $other }
import-with-reference = reference { $reference }
import-with-no-reference = no reference
import-payment-unknown = the { $provider } payment of order { $number } with { $payment } is neither in the import nor in the database
store-missing = no database at { $path } (create one with `tally import FILE` or `tally demo`, or point --db / TALLY_DB at yours)
store-open = cannot open database { $path }: { $error }
store-create = cannot create database { $path }: { $error }
store-too-new = database { $path } has schema version { $found }, newer than this tally supports ({ $supported }): upgrade tally
store-migrate = cannot migrate database { $path } to schema { $to }: { $error }
resolve-fixable = { $rule } is fixed by `tally fix`, not resolved by hand (resolve closes the findings tally never fixes)
resolve-nothing-open = order { $number } has no open { $rule } finding to resolve
resolve-several = order { $number } has several open { $rule } findings ({ $ids }): name one with --id
resolve-empty-note = --note must say what was done

## import, export, demo, backup, resolve

import-done = imported: { $orders_created } orders created, { $orders_updated } updated; { $payments_created } payments created, { $payments_updated } updated; { $unchanged } unchanged; { $movements } movements recorded
export-cannot-create = cannot create { $path }: { $error }
export-csv-needs-output = CSV export writes three files (orders.csv, payments.csv and movements.csv): give --output DIR
demo-orders-zero = --orders must be at least 1
demo-already = { $db } already holds a shop of { $n } orders: showing it (use another --db for a new demo)
demo-done = demo shop in { $db }: { $orders } orders, { $payments } payments ({ $seconds } s)
demo-cases = Cases to look at (try `tally order show TEST1014`):
backup-exists = { $path } already exists: a backup never overwrites a file
backup-done = backup of { $db } written to { $path } ({ $size } bytes)
resolve-done = { $number }: { $rule } resolved by { $actor }; check will report it again if the order or its payment changes

# The demo's cases (tally demo): English prints demo.rs's own words.
demo-case-TEST1001 = status_mismatch: order pending, payment completed
demo-case-TEST1008 = status_mismatch: order failed, payment pending
demo-case-TEST1014 = status_mismatch: order paid, payment pending
demo-case-TEST1021 = paid_without_payment
demo-case-TEST1022 = paid_without_payment
demo-case-TEST1023 = amount_mismatch: Stripe captured less than the total
demo-case-TEST1024 = amount_mismatch: PayPal captured more than the total
demo-case-TEST1025 = currency_mismatch: PayPal captured USD for a EUR order
demo-case-TEST1026 = cancelled_but_captured: Stripe
demo-case-TEST1027 = cancelled_but_captured: Wave
demo-case-TEST1028 = refund_awaiting_provider: Stripe
demo-case-TEST1029 = refund_awaiting_provider: Wave
demo-case-TEST1030 = disputed: Stripe chargeback
demo-case-TEST1031 = missing_timestamp: paid without paid_at
demo-case-TEST1032 = missing_timestamp: cancelled without cancelled_at
demo-case-TEST1033 = stale_pending: Wave pending for 5 days
demo-case-TEST1034 = stale_pending: Stripe pending for 3 days
demo-case-TEST1035 = dispute_lost, fulfilled_unpaid: a lost chargeback on a shipped order
demo-case-TEST1036 = refund_failed: a Stripe refund that failed
demo-case-TEST1037 = duplicate_payment: the customer was charged twice by Stripe
demo-case-TEST1038 = fulfilled_unpaid: a SEPA debit failed after the order shipped
demo-case-TEST1039 = amount_mismatch: a partial capture (179.80 authorised, 100.00 captured), then a 20.20 refund
demo-case-TEST1041 = no finding: a Stripe payment of an order planned for Wave (two attempts)

## tally orphans, tally webhooks

orphans-none = no open orphans
orphans-how = attach one with `tally orphans link ID ORDER`, or `tally orphans dismiss ID` once dealt with
orphan-linked = orphan #{ $id } linked to { $order }: { $result } ({ $detail })
orphan-dismissed = orphan #{ $id } dismissed ({ $what })
cli-col-received = received
cli-col-provider = provider
cli-col-source = source
cli-col-event = event
cli-col-reference = reference
cli-col-amount = amount
cli-col-order = order
cli-col-state = state
cli-col-note = note
cli-col-signature = signature
cli-col-result = result
cli-col-error = error
webhooks-none = no webhook requests logged
webhooks-none-failed = no failed events
webhooks-since-applied = (since applied)
webhooks-failed-how = once the cause is fixed: `tally webhooks replay ID` (the provider also retries)
replay-not-an-event = #{ $id }: the stored body is not an event: { $error }
replay-failed-again = #{ $id }: processing failed again: { $error }
prune-dropped = dropped { $bodies } stored { $bodies ->
    [one] body
   *[other] bodies
} and { $addresses } remote { $addresses ->
    [one] address
   *[other] addresses
} of webhook requests received before { $before }
prune-kept = kept { $kept } { $kept ->
    [one] body
   *[other] bodies
} still needed by open orphans or failed events: link or dismiss              them (`tally orphans`), or replay them (`tally webhooks --failed`), then prune again
prune-ids-kept = event ids and results are kept: a re-delivered event is still answered as a duplicate
prune-wal = note: the write-ahead log could not be truncated now (another process is reading);              SQLite reuses it later

## tally doctor

doctor-ok = ok
doctor-warning = warning
doctor-problem = problem
doctor-hint = (hint: { $hint })
doctor-name-database = database
doctor-name-db-file = db file
doctor-name-db-directory = db directory
doctor-name-wal = wal
doctor-name-stripe-secret = stripe secret
doctor-name-paypal-id = paypal id
doctor-name-wave-secret = wave secret
doctor-name-env-file = env file
doctor-name-paypal-certs = paypal certs
doctor-name-last-webhook = last webhook
doctor-name-rejections = rejections
doctor-name-stripe-api = stripe api
doctor-name-stripe-api-key = stripe api key
doctor-name-paypal-api = paypal api
doctor-name-wave-api = wave api
doctor-name-sync = sync
doctor-name-language = language

## tally doctor's checks (English: what doctor always printed)

doc-db-missing-hint = point --db or TALLY_DB at the shop's file
doc-cannot-read = { $path } cannot be read: { $error }
doc-db-unreadable-hint = check that this user can read the file and its directory
doc-db-too-new = { $path } has schema version { $found }, newer than this tally ({ $supported })
doc-db-too-new-hint = upgrade tally: an older binary refuses this database
doc-db-old = { $path } has schema version { $found }, this tally writes { $supported }
doc-db-old-hint = the next tally command migrates it: take a `tally backup` first
doc-db-journal = { $path } is in journal mode { $mode }, not WAL
doc-db-journal-hint = any tally command (e.g. `tally check`) switches it to WAL
doc-db-ok = { $path } opens, schema version { $found } (up to date), WAL journal
doc-what-db = it holds customers' personal data
doc-dir-world = { $path } is writable by every user (mode { $mode }): anyone can replace the database
doc-dir-world-hint = chmod 750 { $path } (owned by the tally user)
doc-dir-owner = { $path } belongs to uid { $uid }, not to this user
doc-dir-owner-hint = SQLite creates the -wal and -shm files beside the database: the directory must be writable by the tally user
doc-dir-readonly = { $path } is not writable by its owner (mode { $mode })
doc-dir-readonly-hint = SQLite creates the -wal and -shm files beside the database: chmod u+w it
doc-dir-ok = { $path } (mode { $mode })
doc-wal-none = no write-ahead log file right now (nothing uncheckpointed)
doc-wal-big = the write-ahead log is { $size } (over { $limit })
doc-wal-big-hint = a long-lived reader keeps SQLite from checkpointing (a dashboard left open?); it shrinks once readers close
doc-what-wal = it holds recent changes to the shop
doc-wal-ok = the write-ahead log is { $size }
doc-env-hint-file = set it in the --env-file the listener uses
doc-env-hint = set it where the listener's environment comes from, and check that with `tally doctor --env-file FILE`
doc-stripe-unset-used = STRIPE_WEBHOOK_SECRET is not set, but the shop has { $n } Stripe payments: their webhooks would be refused
doc-stripe-unset = STRIPE_WEBHOOK_SECRET is not set: Stripe webhooks are off
doc-stripe-refused-hint = copy the signing secret (whsec_...) from the endpoint's page in Stripe's dashboard
doc-stripe-unusual = STRIPE_WEBHOOK_SECRET holds { $count } secret(s), { $unusual } not starting with whsec_
doc-stripe-unusual-hint = Stripe's endpoint signing secrets start with whsec_
doc-stripe-one = STRIPE_WEBHOOK_SECRET is set (1 secret)
doc-stripe-rotation = STRIPE_WEBHOOK_SECRET is set ({ $count } secrets: a rotation in progress; drop the old one once Stripe has switched)
doc-paypal-unset-used = PAYPAL_WEBHOOK_ID is not set, but the shop has { $n } PayPal payments: their webhooks would be refused
doc-paypal-unset = PAYPAL_WEBHOOK_ID is not set: PayPal webhooks are off
doc-paypal-simulator = PAYPAL_WEBHOOK_ID is { $id }, the id PayPal's simulator signs with: anyone can send genuinely signed events
doc-paypal-simulator-hint = set your webhook's id (PayPal developer dashboard, your app, Webhooks)
doc-paypal-set = PAYPAL_WEBHOOK_ID is set
doc-wave-refused-hint = copy the webhook's secret (wave_sn_WHS_...) from Wave's Business Portal (Developers, Webhooks); an API key must never sit here
doc-wave-unusual = WAVE_WEBHOOK_SECRET holds { $count } secret(s), { $unusual } not shaped like a Wave webhook secret
doc-wave-unusual-hint = Wave's webhook secrets start with wave_sn_WHS_ (the country code may differ)
doc-wave-one = WAVE_WEBHOOK_SECRET is set (1 secret)
doc-wave-rotation = WAVE_WEBHOOK_SECRET is set ({ $count } secrets: a rotation in progress; drop the old one once its webhook is deleted at Wave)
doc-what-env = it holds the webhook secrets
doc-certs-unused = not used: PayPal webhooks are off
doc-cert-error = --paypal-cert { $path }: { $error }
doc-cert-error-hint = pin PayPal's PEM certificate, or drop --paypal-cert to fetch it
doc-cert-not-paypal = --paypal-cert { $path } is not PayPal's message-verification certificate
doc-cert-not-paypal-hint = pin the certificate PAYPAL-CERT-URL names
doc-cert-expired = --paypal-cert { $path } expired on { $date }
doc-cert-expired-hint = pin PayPal's current certificate, or drop --paypal-cert to fetch it
doc-cert-expires = --paypal-cert { $path } expires on { $date }
doc-cert-expires-hint = pin PayPal's next certificate before then
doc-cert-ok = --paypal-cert { $path } is PayPal's, valid until { $date }
doc-cache-none = { $path } does not exist yet: the listener creates it at the first PayPal delivery
doc-cache-writable = { $path } is writable by others (mode { $mode }): a planted certificate would let them forge PayPal webhooks
doc-chmod-700 = chmod 700 { $path }
doc-cache-unreadable-hint = the listener must own its certificate cache: chown it to the tally user
doc-cache-unusable = { $path }: { $certificates } certificate(s), { $unusable } unreadable or unusable file(s)
doc-cache-unusable-hint = unusable files are ignored and fetched again; remove them
doc-cache-ok = { $path } is readable, { $certificates } certificate(s) cached
doc-webhook-never = no verified webhook was ever received, though the shop has Stripe or PayPal payments
doc-webhook-never-hint = check the endpoint URL at the provider and that the listener is reachable; try `tally send-test-event`
doc-webhook-none = none received yet (and no Stripe or PayPal payments)
doc-webhook-old = the last verified webhook was { $ago } ({ $provider } { $kind }), but payments were created since
doc-webhook-old-hint = is the listener up and reachable? `systemctl status tally`, the proxy's error log, the provider's delivery log
doc-webhook-ok = { $ago } ({ $provider } { $kind }, { $at })
doc-rej-expired = { $n } deliveries refused as expired in the last 24 h
doc-rej-expired-hint = is this machine's clock right? `timedatectl` (NTP); or a proxy holding requests for minutes
doc-rej-ok = { $n } request(s) refused in the last 24 h, none suggesting a wrong secret
doc-rej-rotated = { $bad } { $name } deliveries with a bad signature in the last 24 h and none verified: a secret rotated at { $name } but not here?
doc-rej-rotated-hint = set { $setting } to the endpoint's current value (during a rotation, Stripe's or Wave's old and new secrets comma-separated) and restart the listener
doc-rej-bad = { $bad } { $name } deliveries with a bad signature in the last 24 h ({ $good } verified)
doc-rej-bad-hint = someone probing the endpoint, or a second endpoint at the provider with another secret: `tally webhooks` lists them
doc-rej-unconfigured = { $n } { $name } deliveries refused in the last 24 h because { $setting } is not set
doc-rej-unconfigured-hint = set { $setting } in the listener's environment, or remove the endpoint at { $name }
doc-ago-days = { $n } days ago
doc-ago-hours = { $n } h ago
doc-ago-minutes = { $n } min ago
doc-file-world = { $path } is accessible to every user (mode { $mode }): { $what }
doc-chmod-600 = chmod 600 { $path }
doc-file-group = { $path } is accessible to its group (mode { $mode }): { $what }
doc-chmod-600-group = chmod 600 { $path }, unless that group is meant to read it
doc-file-owner = { $path } belongs to uid { $uid }, and this is uid { $me }
doc-file-owner-hint = run the listener, cron and the dashboard as the file's owner (one system user), e.g. `sudo -u tally tally doctor`
doc-file-ok = { $path } is private to its owner (mode { $mode })

## tally doctor's API checks (the providers' own answers stay as they give them)

doc-api-stripe-ok = STRIPE_API_KEY set ({ $mode } mode); Stripe answers (list events)
doc-api-stripe-hint = check the key and its permissions (read: events, PaymentIntents, charges, disputes, refunds)
doc-api-stripe-secret = STRIPE_API_KEY is a secret key (sk_): it can move money, sync only reads
doc-api-stripe-secret-hint = create a restricted key (rk_) with read access to events, PaymentIntents, charges, disputes and refunds
doc-api-paypal-ok = PAYPAL_CLIENT_ID and secret set ({ $mode }); PayPal answers (token)
doc-api-paypal-hint = check the app's client id and secret, and PAYPAL_MODE
doc-api-wave-ok = WAVE_API_KEY set; Wave answers (retrieve checkout session)
doc-api-wave-hint = check the key (wave_sn_prod_...) in the Business Portal (Developers → API keys): it needs the Checkout API, and tally does not sign requests (a key created with request signing is refused)
doc-api-sync-unseen = tally sync applied { $n } { $provider } event(s) in the last { $days } days that the listener never received
doc-api-sync-unseen-hint = check the webhook endpoint at the provider (URL, secret, enabled events) and that `tally serve` is reachable

## tally refund, the cancel guard, order cancel --refund (the providers' own answers stay as they give them)

rfd-plan = { $order }: { $action }
rfd-plan-action = refund { $amount } through { $provider } ({ $target }); the order will keep { $keeps }
rfd-waiting = { $number }: waiting for { $actor }'s refund of { $amount } through { $provider } (asked { $secs } s ago)
rfd-cannot-settle = { $number }: an earlier { $provider } refund of { $amount } is { $state } and { $provider } credentials are not configured ({ $var }): tally cannot settle it; set them and run again
rfd-earlier = { $number }: the earlier refund of { $amount } through { $provider } ({ $actor }'s, { $at }) is { $state }
rfd-earlier-id = { $earlier } ({ $id })
rfd-earlier-why = { $earlier }: { $why }
rfd-earlier-not-found = { $earlier }: the provider has no such refund
rfd-no-answer = no answer
rfd-unknown = { $number }: the { $p } refund of { $amount } is unknown ({ $why }). Nothing more will be refunded from this payment until it is settled: run `tally refund { $number }` again (it asks { $p } with the same idempotency key, so it cannot refund twice), or look for intent { $key } at { $p }
rfd-no-payment = { $number }: no payment record: nothing to refund
rfd-several = { $number }: { $n } payments keep money; say which with --payment: { $list }
rfd-keeps = { $provider } { $reference } keeps { $kept }
rfd-no-reference = (no reference)
rfd-line = { $number }: { $text }
rfd-bad-amount = { $number }: --amount { $text }: { $error }
rfd-settled-summary = { $notes } ({ $reason })
rfd-payment-gone = { $number }: the payment is gone
rfd-keep-starting = { $number }: other refunds of this payment keep starting; run again
rfd-unrecorded = { $number }: { $provider } answered, but tally could not record it ({ $error }): run `tally refund { $number }` again to settle it
rfd-refunded = refunded { $amount } through { $p } ({ $id }); the order keeps { $keeps }
rfd-pending = refund of { $amount } pending at { $p } ({ $id }); its events will say when it lands
rfd-failed = { $number }: { $p }'s refund { $id } of { $amount } failed: the customer has not been repaid
rfd-refused-by = { $number }: { $p } refused the refund of { $amount }: { $why }
rfd-no-reason = no reason given
rfd-intent-gone = refund intent { $key } is gone
rfd-intent-order-gone = the intent's order is gone
rfd-intent-payment-gone = the intent's payment is gone
rfd-cli-one-payment = { $flag } is about one payment: give a single order number with it ({ $given } given)
rfd-cli-no-terminal = no terminal to confirm the refunds on: add --yes to refund without asking (nothing was changed)
rfd-ask = { $question }? [y/N]
rfd-dry-run = { $plan } (dry run: nothing asked)
rfd-not-confirmed = { $number }: not confirmed
rfd-line-error = { $number }: error: { $text }
rfd-summary = { $refunded } refunded, { $refused } refused, { $unknown } unknown
cnl-not-cancelled = not cancelled: { $reason }
cnl-question = cancel { $number }
cnl-question-refund = cancel { $number } and { $action }
cnl-not-confirmed = not confirmed
cnl-cli-no-terminal = no terminal to confirm the refunds on: add --yes to cancel and refund without asking (nothing was changed)
cnl-refund-line = refund: { $text }
cnl-refund-error = refund: error: { $text }
grd-unreachable = { $number }: { $p } cannot be asked whether the pending payment was paid meanwhile ({ $error }): not cancelled. `--offline` cancels without asking { $p }
grd-paid = { $number }: paid at { $p } ({ $what }) though tally had it pending: { $applied }; not cancelled. To cancel it and give the money back: `tally order cancel { $number } --refund`
grd-moving = { $number }: { $p } is processing the payment ({ $what }): the money may be moving, so it is not cancelled; try again once { $p } has settled it
grd-not-recorded = not recorded ({ $error })
grd-offline = { $number }: not checked with { $p } (--offline)
grd-not-configured = { $number }: not checked with { $p } ({ $var } is not set)
grd-pi-cancelled = { $number }: PaymentIntent { $id } cancelled at Stripe
grd-stripe-would-not = { $number }: Stripe would not cancel PaymentIntent { $id } ({ $error }): not cancelled
grd-paypal-no-capture = { $number }: not checked with PayPal (the payment has no capture id, and PayPal has no search by order)
grd-paypal-unknown = { $number }: PayPal knows no capture or sale { $reference }
grd-wave-expired = { $number }: checkout session { $id } expired at Wave
act-cancel-refund-title = { $title } and refund them
act-refund-title = Refund { $n ->
    [one] { $n } order
   *[other] { $n } orders
}
act-refund-through = Refunds { $n ->
    [one] { $n } payment
   *[other] { $n } payments
} through { $provider } ({ $amounts }), each exactly once (a refund intent with its own key).
act-refund-nothing = No payment here keeps money: nothing to refund.
act-refund-cash = { $n ->
    [one] { $n } is
   *[other] { $n } are
} cash: refund by hand, then `tally payment record-refund`
act-done-and-refund = { $summary }; { $refund }
act-refund-warning = refund: { $reason }
act-needs-apis = the providers' APIs are needed

## tally sync (a change's own words come from the ingest, as in tally webhooks; JSON stays English)

sync-busy = tally sync: another sync is running on { $path }; nothing to do
sync-fetching = { $provider }: fetching events ({ $events })
sync-applying = { $provider }: applying
sync-asking = { $provider }: asking about pending payments
sync-would = would:
sync-no-order = (no order)
sync-from-event = event
sync-from-fact = fact
sync-problem = problem: { $text }
sync-summary = { $provider }: { $seen } events seen, { $applied } applied, { $duplicates } duplicates, { $stale } stale, { $orphans } orphans, { $failed } failed; { $asked } pending payments asked about; { $calls } API calls
sync-state-stopped = (stopped by an error)
sync-state-dry-run = (dry run: nothing written)
sync-the-watermark = the watermark
sync-problem-retention = { $what } ({ $since }) is older than { $provider } keeps events ({ $days } days): events before { $oldest } may be lost for good; check the provider's dashboard for that time
sync-problem-failed = { $n } { $provider } event(s) failed to apply (see `tally webhooks --failed`); the watermark stays, so the next sync tries them again
sync-problem-malformed = { $provider } event { $id }: { $error }
sync-problem-event-failed = { $provider } event { $id } failed: { $error }
sync-problem-would-fail = { $provider } event { $id } would fail: { $error }
sync-lock = cannot take the sync lock { $path }: { $error }
sync-not-configured = { $provider }: { $var } is not set, so tally cannot ask { $provider }'s API
sync-none-configured = no provider API credentials are set: set STRIPE_API_KEY, PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET, or WAVE_API_KEY (see `tally sync --help`)

## The providers' APIs and credentials (the provider's own text stays as it gave it)

api-status = { $provider }: { $call }: { $status } { $text }
api-timeout = { $provider }: { $call }: no answer within { $secs } s (tried { $attempts } times)
api-transport = { $provider }: { $call }: cannot reach { $host }: { $reason } (tried { $attempts } times)
api-malformed = { $provider }: { $call }: the answer is not what the API documents: { $reason }
api-bad-url = { $provider }: bad API URL { $url }: { $reason }
cred-stripe-not-utf8 = STRIPE_WEBHOOK_SECRET is not valid UTF-8
cred-stripe-empty = STRIPE_WEBHOOK_SECRET is set but holds no secret (expected whsec_..., comma-separated during a rotation)
cred-stripe-api-key = STRIPE_WEBHOOK_SECRET entry #{ $entry } is a Stripe API key, not a webhook signing secret (whsec_...): take the signing secret from the webhook endpoint's page
cred-wave-not-utf8 = WAVE_WEBHOOK_SECRET is not valid UTF-8
cred-wave-empty = WAVE_WEBHOOK_SECRET is set but holds no secret (expected wave_sn_WHS_..., comma-separated during a rotation)
cred-wave-api-key = WAVE_WEBHOOK_SECRET entry #{ $entry } looks like a Wave API key or request-signing secret (wave_..._prod_..., wave_..._AKS_...), not a webhook secret (wave_sn_WHS_...): take the secret the Business Portal showed when the webhook was registered (Developers, Webhooks)
cred-paypal-simulator = PAYPAL_WEBHOOK_ID is { $id }, the id PayPal's webhook simulator signs with: anyone can make the simulator post genuinely signed events to any URL. Set the id of your webhook (developer dashboard, your app, Webhooks), or pass --paypal-allow-simulator on a test listener
cred-stripe-key-kind = STRIPE_API_KEY is not a Stripe secret or restricted API key (expected rk_... or sk_...; whsec_ is the webhook signing secret, pk_ the publishable key)
cred-paypal-half = { $set } is set but { $unset } is not: PayPal's API needs both
cred-paypal-mode = PAYPAL_MODE is { $mode }: expected live or sandbox

## The statements' findings (tally check), their actions

stm-file-row = { $file } row { $row }
stm-payment-ref = { $provider } payment { $reference }
stm-payment-attempt = { $provider } payment #{ $attempt }
stm-unknown = { $provider } { $kind } { $id } of { $amount } on { $day } ({ $at }): no payment in tally matches
stm-unknown-naming = { $provider } { $kind } { $id } of { $amount } on { $day } ({ $at }, naming order { $order }): no payment in tally matches
stm-unknown-action = if it is the shop's, import its order and payment (`tally import`), then `tally statement import` again to match it; money taken outside the shop needs nothing in tally
stm-charge-nothing = { $provider } charged { $amount } on { $day } ({ $at }); the ledger of the { $named } captured nothing
stm-charge-nothing-action = the capture never reached tally (a lost webhook?): see `tally webhooks --failed`, or confirm it at { $provider }; once settled, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-what-amount = amount
stm-what-currency = currency
stm-charge-differs = { $provider } charged { $amount } on { $day } ({ $at }); the ledger of the { $named } captured { $captured }
stm-charge-differs-action = the { $what } differs: check the payment at { $provider } and correct what is wrong (a partial capture, an edited order); once settled, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-refund-differs = { $provider } refunded { $amount } on { $day } ({ $at }); the ledger of the { $named } has { $has } for it
stm-refund-differs-action = check the refund at { $provider }; once settled, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-refund-unrecorded = { $provider } refund{ $id } of { $amount } on { $day } ({ $at }) is not in the ledger of the { $named }
stm-refund-record = record refund { $id } of { $amount } into the ledger, as the statement shows it (audited as statement:{ $file })
stm-refund-check = check at { $provider } (a refund without its own id, or one the ledger may hold under another: tally does not record it by itself); if it was made, `tally payment record-refund { $number }{ $payment } --amount ... --reference { $id } --note ...`
stm-dispute = dispute
stm-dispute-reversal = dispute reversal
stm-dispute-unrecorded = { $provider } { $what }{ $id } of { $amount } on { $day } ({ $at }) is not in the ledger of the { $named }
stm-dispute-answer = answer the dispute at { $provider } if it is still open; once settled, `tally resolve { $number } unrecorded_dispute --id { $id } --note ...`
stm-dispute-record = record dispute { $id } ({ $state }) of { $amount } into the ledger, as the statement shows it (audited as statement:{ $file }); answer it at { $provider } if still open
stm-missing-charge = the ledger of the { $named } captured { $captured } on { $day }; { $provider }'s statements for { $period } show no charge for it
stm-missing-charge-action = check at { $provider } whether the money arrived (a charge on another account, a wrong reference, a capture tally was told of wrongly); once settled, `tally resolve { $number } missing_at_provider --note ...`
stm-missing-refund = the ledger of the { $named } has refund { $id } of { $amount } on { $day }; { $provider }'s statements for { $period } do not show it
stm-missing-refund-action = check at { $provider } that the customer was repaid; once settled, `tally resolve { $number } missing_at_provider --id { $id } --note ...`

## tally statement import, tally payouts, tally report

stmt-cash = --provider cash: cash has no statements (valid: stripe, paypal, wave)
stmt-cannot-read = cannot read { $path }: { $error }
stmt-described = { $format }, { $n } lines, { $from }..{ $to }
stmt-already = { $name }: already imported ({ $at }): nothing changed
stmt-imported = { $name }: { $what }: { $new } new, { $unchanged } unchanged, { $rewritten } rewritten by the provider
stmt-kept-newer = { $n } kept as a newer file has them
stmt-rewritten = { $id } (row { $row }): { $old_status } { $old_gross } → { $new_status } { $new_gross }
stmt-matched = { $provider }: { $matched } of { $lines } customer lines matched to payments; `tally check` compares them
stmt-no-payouts = No payouts in the imported statements.
stmt-col-provider = provider
stmt-col-payout = payout
stmt-col-date = date
stmt-col-status = status
stmt-col-amount = amount
stmt-col-lines = lines
stmt-col-charges = charges
stmt-col-fees = fees
stmt-col-refunds = refunds
stmt-col-disputes = disputes
stmt-col-other = other
stmt-col-net = net
stmt-col-adds-up = adds up
stmt-col-currency = currency
stmt-col-captured = captured
stmt-col-refunded = refunded
stmt-col-disputes-lost = disputes lost
stmt-col-charged = charged (statement)
stmt-col-fee-rate = fee rate
stmt-adds-up = yes
stmt-less-than-lines = no: { $amount } less than its lines
stmt-more-than-lines = no: { $amount } more than its lines
stmt-lines-unknown = (the file does not say its lines)
stmt-payouts-off = { $n } payout(s) do not add up: their lines' net differs from what they took from the balance.
stmt-until-before-since = --until { $until } is before --since { $since }
stmt-report-heading = Money from { $since } to { $until } (UTC): captured, refunded and lost to disputes from the ledger; charged, fees and net from the statements (in their settlement currency)
stmt-the-start = the start
stmt-now = now
stmt-report-orders = Orders created in the period, by payment status: { $orders }
stmt-none = none
demo-statement-files = Statement files in { $dir }:
demo-statement-discrepancies = Discrepancies put in on purpose:
demo-statement-then = Then: { $import }

## The dashboard's sync (S)

dsync-already = a sync is already running ({ $progress })
dsync-starting = starting
dsync-started = sync started in the background: the keys keep working; the title line shows it
dsync-fetched = { $provider }: { $events } events fetched
dsync-applying = { $provider }: applying { $done }/{ $total }
dsync-pending = { $provider }: pending payments { $done }/{ $total }
dsync-status = sync: { $summary }
dsync-busy = another sync is running on this database; nothing done
dsync-calls = { $n ->
    [one] { $n } API call
   *[other] { $n } API calls
}
dsync-nothing-new = nothing new ({ $names }; { $calls })
dsync-changes = { $n ->
    [one] { $n } change
   *[other] { $n } changes
} ({ $per }; { $calls }): see the Webhooks view, source sync
dsync-stopped = ; stopped: { $error }
dsync-problem = ; problem: { $problem }
dsync-syncing = syncing: { $progress }
dsync-synced = synced { $at }
dsync-synced-problems = synced { $at } with problems
dsync-failed = sync failed { $at }

## The dashboard's Statements view

dstm-query = statement lines, unmatched first, then newest first; ✗ unmatched
dstm-empty = no statement lines
dstm-col-kind = Kind
dstm-col-line-id = Line id
dstm-col-gross = Gross
dstm-col-fee = Fee
dstm-unmatched = unmatched
dstm-open-order = order
dstm-open-line = details
dstm-findings = statement findings:
dstm-checking = checking…
dstm-no-findings = none
dstm-more-files = { $n } more files
dstm-file = { $name }  { $from } → { $to }  { $rows } rows  imported { $at } ({ $actor })
dstm-detail-title = Statement line { $id }
dstm-f-file = file
dstm-f-row = row
dstm-f-line-id = line id
dstm-f-date = date
dstm-f-kind = kind
dstm-f-status = status
dstm-f-type = provider's type
dstm-f-gross = gross
dstm-f-fee = fee
dstm-f-net = net
dstm-f-customer = customer paid
dstm-f-ids = ids
dstm-f-payout = payout
dstm-f-description = description
dstm-f-match = match
dstm-matched = order { $order } (matched by { $by })
dstm-match-none = none: no payment of the shop has these ids or order number
dstm-match-not-customer = not matched (not a customer payment)
dstm-unknown-hint = The provider has this money and tally has no payment for it: find the order it was for (its ids, its description), or ask the provider. `tally check` reports it as unknown_to_tally once it is final and inside the days the statements cover.
dstm-tab-unmatched = { $n } unmatched

## A statement file's problems (tally statement import)

stmtp-invalid = { $n } problem(s), nothing imported:
stmtp-at-row = { $at }: row { $row }
stmtp-at-column = { $at }: column { $column }
stmtp-problem = { $at }: { $message }
stmtp-decimal-comma = { $text } has a decimal comma: tally reads amounts with a decimal point ("-4.25"), as the English layouts write them
stmtp-not-amount = { $text } is not an amount (e.g. "-1,309.80")
stmtp-amount = { $text }: { $error }
stmtp-dates-disagree = its dates disagree on the order of day and month ({ $day } puts the day first, { $month } the month): give --date-format
stmtp-dates-ambiguous = day and month cannot be told apart from its dates (e.g. { $example }): give --date-format DD/MM/YYYY or --date-format MM/DD/YYYY
stmtp-not-date = { $text } is not a date ({ $example })
stmtp-not-time = { $text } is not a time (HH:MM:SS)
stmtp-stripe-payments-export = this is Stripe's Payments export; tally reads the "Balance change from activity" report, itemized (Balance → Reports → Balance change from activity → Download → Itemized), with the columns source_id, charge_id and payment_intent_id added
stmtp-paypal-french = this PayPal file has French column names (Brut, Frais, Devise, …) and decimal commas; tally reads the English activity download: set the PayPal account's language to English, then download the activity again (Activity → Statements → Activity download, CSV)
stmtp-paypal-amount-only = this PayPal layout has an Amount but no Currency and no Transaction ID, so tally can neither tell its currency nor keep each transaction once; download the activity download instead (Activity → Statements → Activity download, CSV, with the Currency, Gross, Fee, Net and Transaction ID fields)
stmtp-unknown-layout = not a statement layout tally reads (its columns: { $columns }); tally reads Stripe's "Balance change from activity" itemized report, PayPal's activity download (and statement), and Wave transactions with the API's field names as columns
stmtp-missing-columns = missing column(s): { $columns }
stmtp-stripe-ids-missing = this Stripe report has no column that names a payment (Stripe's default columns): in the Dashboard, Balance → Reports → Balance change from activity → Download → Itemized → Columns, add source_id, charge_id and payment_intent_id (and, for matching and fees, payment_metadata[order_id], customer_facing_amount, customer_facing_currency and automatic_payout_id), then download it again
stmtp-empty-required = empty (required)
stmtp-net-gross-minus-fee = net is not gross − fee ({ $g } − { $f } ≠ { $n } minor units)
stmtp-net-gross-plus-fee = Net is not Gross + Fee ({ $g } + { $f } ≠ { $n } minor units)
stmtp-customer-currency-empty = empty while customer_facing_amount is given
stmtp-unknown-zone = { $zone } is not a time zone tally knows (known: { $known })
stmtp-not-bool = { $text } is not true or false
stmtp-not-csv = not readable as CSV: { $error }
stmtp-empty-file = empty file: no header row
stmtp-wrong-provider = this is a { $format }, not a { $provider } statement (--provider { $flag })
stmtp-of-layout = { $format }: { $error }
stmtp-again = transaction { $id } appears again with other facts (first at row { $first })
stmtp-no-lines = no lines: give --period FROM..TO to say which days this empty statement covers
stm-period = { $from }..{ $to }

## tally serve's refusals to start (its log lines stay English)

bind-malformed = --bind { $text }: expected HOST:PORT (e.g. 127.0.0.1:8787) or unix:PATH
bind-resolve = --bind { $addr }: cannot resolve it: { $reason }
bind-exposed = --bind { $addr }: not a loopback address ({ $ip }). tally serve has no timeouts and trusts a request's Content-Length (an absurd one aborts it): only a reverse proxy in front (nginx, deploy/nginx-tally.conf) stops such requests. Prefer --bind unix:PATH for the proxy; if a proxy really guards this address and port, add --behind-proxy
bind-duplicate = --bind { $addr } is given twice
