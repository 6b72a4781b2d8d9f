# Le catalogue français de tally. Chaque identifiant est aussi dans en.ftl,
# avec les mêmes arguments (les tests le vérifient). Le vocabulaire des
# statuts est celui des notes de conception de la boutique.
# Syntaxe Fluent : https://projectfluent.org/fluent/guide/

## La langue et la raison de ce choix (tally doctor)

lang-name-en = anglais
lang-name-fr = français
lang-in-use = Langue : { $name } ({ $why })
lang-why-flag = --lang
lang-why-env = { $var }={ $value }
lang-why-default = ni LC_ALL, ni LC_MESSAGES, ni LANG : par défaut

## Les devises après un montant (symboles du CLDR)

currency-eur = €
currency-xof = F CFA

## Les ensembles fermés de mots : ENSEMBLE-MOT.

order-status-pending = En attente
order-status-processing = En cours
order-status-shipped = Expédiée
order-status-delivered = Livrée
order-status-cancelled = Annulée
order-payment-status-pending = En attente
order-payment-status-paid = Payée
order-payment-status-failed = Échouée
order-payment-status-refunded = Remboursée
payment-status-pending = En attente
payment-status-completed = Terminé
payment-status-failed = Échoué
payment-status-cancelled = Annulé
provider-stripe = stripe
provider-paypal = paypal
provider-wave = wave
provider-cash = espèces
provider-title-stripe = Stripe
provider-title-paypal = PayPal
provider-title-wave = Wave
provider-title-cash = espèces
log-result-applied = appliqué
log-result-duplicate = doublon
log-result-stale = périmé
log-result-orphan = orphelin
log-result-ignored = ignoré
log-result-rejected = refusé
log-result-error = erreur
event-state-applied = appliqué
event-state-duplicate = doublon
event-state-stale = périmé
event-state-orphan = orphelin
event-state-ignored = ignoré
event-state-failed = échoué
signature-verified = vérifiée
signature-invalid = invalide
signature-missing = absente
signature-expired = expirée
signature-unconfigured = non configurée
signature-not_checked = non vérifiée
orphan-state-open = ouvert
orphan-state-linked = rattaché
orphan-state-dismissed = écarté
movement-kind-authorised = autorisation
movement-kind-captured = encaissement
movement-kind-released = libération
movement-kind-refund = remboursement
movement-kind-dispute = litige
movement-kind-owed = dû
refund-state-pending = en attente
refund-state-succeeded = réussi
refund-state-failed = échoué
refund-state-cancelled = annulé
intent-state-requested = demandé
intent-state-unknown = inconnu
intent-state-pending = en attente
intent-state-succeeded = réussi
intent-state-failed = échoué
intent-state-refused = refusé
log-source-webhook = webhook
log-source-replay = rejeu
log-source-sync = sync
line-kind-charge = encaissement
line-kind-refund = remboursement
line-kind-dispute = litige
line-kind-dispute_reversal = litige annulé
line-kind-fee = frais
line-kind-payout = virement
line-kind-conversion = conversion
line-kind-hold = blocage
line-kind-release = déblocage
line-kind-adjustment = ajustement
line-kind-transfer = transfert
line-kind-funding = approvisionnement
line-kind-purchase = achat
line-kind-other = autre
line-status-completed = terminée
line-status-pending = en attente
line-status-void = annulée
line-status-memo = mémo
statement-format-stripe_balance = mouvements du solde Stripe par activité (détaillés)
statement-format-paypal_activity = téléchargement d'activité PayPal
statement-format-paypal_statement = relevé PayPal
statement-format-wave_transactions = transactions Wave
dispute-state-inquiry = demande
dispute-state-inquiry_closed = demande close
dispute-state-open = ouvert
dispute-state-reversed = annulé
dispute-state-won = gagné
dispute-state-prevented = évité
dispute-state-lost = perdu
movement-source-provider = prestataire
movement-source-owner = propriétaire
movement-source-import = import
movement-source-migration = migration
movement-source-statement = relevé
status-source-owner = propriétaire
status-source-provider = prestataire

## Erreurs

error = erreur : { $text }
database-error = erreur de base de données : { $error }
word-invalid = { $value } n'est pas un { $kind } valide (valeurs valides : { $valid })
kind-order-status = statut de commande
kind-order-payment-status = statut de paiement de commande
kind-payment-status = statut de paiement
kind-provider = prestataire
kind-rule = règle
kind-other = { $kind }
money-unknown-currency = code de devise inconnu { $code } (attendu : un code ISO 4217 comme EUR ou XOF)
money-not-decimal = le montant { $amount } n'est pas un nombre décimal (attendu : des chiffres avec un « . » facultatif, par ex. "89.90")
money-too-many-decimals = le montant { $amount } a { $found } décimales mais { $currency } en permet { $allowed }
money-negative = le montant { $amount } est négatif
money-overflow = le montant { $amount } est trop grand
refusal-cash = un paiement en espèces ne peut pas être remboursé par tally : rendez l'argent, puis enregistrez-le avec `tally payment record-refund { $number } --note ...`
refusal-wave-not-checkout = ce paiement Wave n'a pas été fait par Wave Checkout (pas de session de paiement) : remboursez-le dans l'application Wave Business, puis enregistrez-le avec `tally payment record-refund { $number } --reference T_... --note ...`
refusal-wave-partial = Wave ne rembourse que le paiement entier ({ $kept }) ; pour { $asked }, envoyez-le depuis l'application Wave Business, puis enregistrez-le avec `tally payment record-refund { $number } --amount { $asked_decimal } --note ...`
refusal-no-credentials = les identifiants d'API { $provider } ne sont pas configurés ({ $var }) : tally ne peut pas rembourser par { $provider }
refusal-no-reference = le paiement { $provider } n'a pas de référence { $provider } à rembourser
refusal-nothing-kept = le paiement { $provider } ne conserve rien à rembourser
refusal-nothing-kept-pending = le paiement { $provider } ne conserve rien à rembourser ({ $pending } déjà en cours de retour)
refusal-more-than-kept = { $asked } dépasse ce que conserve le paiement { $provider } ({ $refundable } peut encore être remboursé)
refusal-zero = --amount doit être supérieur à zéro (reçu { $amount })

## Les opérations

op-unknown-order = aucune commande numérotée { $number }
op-reference-taken = la référence { $reference } est déjà celle du paiement { $provider } de la commande { $other }
op-no-such-payment = la commande { $number } n'a pas de paiement de référence { $reference } (ses paiements : { $known })
op-warn-refund-at-provider = { $number } : le client a été débité de { $amount } chez { $p } ; annuler ici ne rembourse rien. Remboursez chez { $p } : tally note le remboursement en attente de { $p } jusqu'à l'arrivée de son événement de remboursement
op-warn-refund-by-hand = { $number } : le client a payé { $amount } ({ $p }) ; remboursez-le à la main, puis notez-le avec `tally resolve { $number } refund_awaiting_provider --note ...`
op-skip-payment-status-already = le statut de paiement est déjà { $status }
op-done-order-payment = commande { $status }, paiement { $target }
op-done-order-no-payment = commande { $status } (aucun paiement enregistré)
op-skip-payment-already = le paiement est déjà { $status }
op-done-payment-order = paiement { $status }, commande { $target }
op-skip-no-payment = la commande n'a aucun paiement enregistré
op-skip-already-cancelled = déjà annulée
op-done-cancelled = commande Annulée, paiement Annulé
op-done-cancelled-no-payment = commande Annulée (aucun paiement enregistré)
op-skip-validate-cancelled = la commande est annulée : une commande annulée ne peut pas être validée
op-skip-validate-no-payment = la commande n'a aucun paiement à valider
op-skip-already-validated = déjà validé
op-warn-validated-by-hand = { $number } : un paiement { $p } validé à la main ; vérifiez chez { $p } qu'il a bien été encaissé (son webhook a pu se perdre)
op-done-validated = paiement Terminé, commande Payée
op-refuse-provider-by-hand = --provider { $provider } : seul un paiement confirmé à la main (wave, cash) s'enregistre ainsi
op-refuse-provider-not-failed = { $number } : son paiement { $provider } est { $status } ; --provider n'enregistre un nouveau paiement qu'après l'échec d'un paiement d'un autre prestataire (validez le paiement existant sans --provider)
refund-note-empty = --note doit dire comment l'argent a été rendu
refund-no-payment = { $number } n'a aucun paiement enregistré : rien à rembourser
refund-needs-reference = { $number } : un remboursement { $provider } demande --reference, l'identifiant que { $provider } lui a donné (pour que son propre événement ne soit pas compté deux fois)
refund-bad-amount = --amount { $text } : { $error }
refund-nothing-owed = { $number } : rien n'est dû sur le paiement { $provider } ; indiquez le montant avec --amount
refund-zero = --amount doit être supérieur à zéro (reçu { $amount })
refund-too-much = { $number } : { $amount } dépasse ce que garde le paiement { $provider } ({ $kept })
refund-already-recorded = le remboursement { $id } est déjà enregistré sur ce paiement
refund-recorded = remboursement de { $amount } enregistré ({ $id }) ; reste dû { $owed }

## Commandes sur les commandes et les paiements

cli-outcome-done = { $number } : { $verb } : { $summary }
cli-outcome-warning = attention : { $text }
cli-outcome-skipped = { $number } : ignorée : { $reason }
cli-verb-done = fait
cli-verb-cancelled = annulée
cli-verb-validated = validée
cli-bulk-cancelled = { $done ->
    [one] { $done } annulée
   *[other] { $done } annulées
}, { $skipped ->
    [one] { $skipped } ignorée
   *[other] { $skipped } ignorées
}
cli-bulk-validated = { $done ->
    [one] { $done } validée
   *[other] { $done } validées
}, { $skipped ->
    [one] { $skipped } ignorée
   *[other] { $skipped } ignorées
}
cli-no-such-order = commande inconnue
cli-one-order-only = { $flag } désigne un seul paiement : donnez-le avec un seul numéro de commande ({ $given } donnés)
cli-limit = --limit doit valoir au moins 1 (reçu { $limit })

## tally order show, tally log

show-order-title = Commande { $number }  { $name } <{ $email }>
show-total = total
show-status = statut
show-payment-status = statut du paiement
show-created = créée
show-updated = modifiée
show-paid = payée
show-cancelled = annulée
show-no-payment = Aucun paiement enregistré.
show-payment-title = Paiement  { $provider } { $reference }
show-no-reference = (sans référence)
show-raw-status = (prestataire : { $raw })
show-amount = montant
show-captured = encaissé
show-refunded = remboursé
show-refund = remboursement
show-refund-owed = dû au client, pas encore confirmé
show-dispute = litige
show-dispute-open = ouvert (rétrofacturation)
show-completed = terminé
show-ledger-title = Paiements (du plus récent au plus ancien) et leur argent
show-ledger-attempt = #{ $attempt } { $provider } { $reference }  { $status }  encaissé { $captured }  remboursé { $refunded }  perdu { $lost }  gardé { $kept }
show-ledger-owed = dû { $owed }
show-ledger-fee = frais { $provider } { $fee }, net { $net } sur le solde ({ $n } ligne(s) de relevé)
show-audit-trail = Journal d'audit
show-none = (aucun)
audit-none = Aucune ligne d'audit.
audit-at = date
audit-event = événement
audit-actor = acteur
audit-order = commande
audit-order-status = statut commande
audit-order-payment = paiement commande
audit-payment = paiement
orphan-unknown = aucun orphelin #{ $id } (voir `tally orphans`)
orphan-closed = l'orphelin #{ $id } est déjà { $state }
orphan-no-body = orphelin #{ $id } : le corps de l'événement { $event_id } n'est pas conservé (seules les livraisons vérifiées gardent le leur)
orphan-unknown-row = aucune ligne #{ $id } dans le journal des webhooks (voir `tally webhooks`)
orphan-not-replayable = la ligne #{ $id } du journal des webhooks n'a pas de corps conservé : seules les livraisons vérifiées peuvent être rejouées
orphan-event = orphelin #{ $id } : { $error }

## Les actions du tableau de bord : confirmations et bilans

act-these-completed = { $n ->
    [one] { $n } d'entre elles a un paiement { $provider } Terminé
   *[other] { $n } d'entre elles ont un paiement { $provider } Terminé
}
act-warn-refund-at-provider = { $these } : { $verb } ne rembourse pas le client chez { $p }. Remboursez chez { $p } ; tally note le remboursement en attente de { $p } jusqu'à l'arrivée de son événement de remboursement
act-warn-refund-by-hand = { $these } : { $verb } ne déplace aucun argent. Remboursez le client à la main, puis `tally resolve NUMÉRO refund_awaiting_provider --note ...`
act-verb-cancelling = annuler
act-verb-setting-refunded = la marquer Remboursée ici
act-verb-cancelling-payment = annuler le paiement ici
act-events-elsewhere = Agit sur des événements webhook : ouvrez la vue Webhooks ou Orphelins.
act-nothing-to-do = Rien à faire
act-cancel-says = Annule { $n ->
    [one] { $n } commande
   *[other] { $n } commandes
} et leurs paiements : commande Annulée, paiement Annulé, statut de paiement de la commande Remboursée.
act-cancel-already = { $n ->
    [one] { $n } est déjà annulée : ignorée.
   *[other] { $n } sont déjà annulées : ignorées.
}
act-cancel-no-payment = { $n ->
    [one] { $n } n'a
   *[other] { $n } n'ont
} aucun paiement enregistré : seule la commande est annulée.
act-cancel-title = Annuler { $n ->
    [one] { $n } commande
   *[other] { $n } commandes
}
act-validate-says = Valide { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
} à la main : paiement Terminé, commande Payée.
act-validate-why-cancelled = annulée (une commande annulée ne peut pas être validée)
act-validate-why-no-payment = sans paiement enregistré
act-validate-why-done = déjà validé
act-validate-skipped = { $n } { $why } : ignoré.
act-validate-warn-webhooks = { $n ->
    [one] { $n } est un paiement
   *[other] { $n } sont des paiements
} { $p } : { $p } confirme ses paiements par webhook. Ne validez à la main qu'après avoir vérifié chez { $p } que l'argent a été encaissé
act-validate-title = Valider { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
}
act-set-order-payment-says = Passe le statut de paiement { $n ->
    [one] de { $n } commande
   *[other] de { $n } commandes
} à { $status }, et leurs paiements à { $target }.
act-already-status = { $n ->
    [one] { $n } est
   *[other] { $n } sont
} déjà { $status } : ignorée(s).
act-already-payment-status = { $n ->
    [one] { $n } est
   *[other] { $n } sont
} déjà { $status } : ignoré(s).
act-set-order-payment-title = Passer le statut de paiement { $n ->
    [one] de { $n } commande
   *[other] de { $n } commandes
} à { $status }
act-set-payment-says = Passe { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
} à { $status }, et le statut de paiement de leurs commandes à { $target }.
act-set-payment-no-payment = { $n ->
    [one] { $n } commande n'a
   *[other] { $n } commandes n'ont
} aucun paiement enregistré : ignorée(s).
act-set-payment-title = Passer { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
} à { $status }
act-fix-says = Corrige { $n ->
    [one] { $n } constat
   *[other] { $n } constats
} comme le fait `tally fix` : chaque commande d'abord réexaminée, les statuts discordants alignés sur le côté gagnant, les dates manquantes remplies.
act-fix-never = { $n ->
    [one] { $n } n'est jamais corrigé par tally (de l'argent peut devoir bouger) : laissé tel quel ; voir l'action de chaque constat.
   *[other] { $n } ne sont jamais corrigés par tally (de l'argent peut devoir bouger) : laissés tels quels ; voir l'action de chaque constat.
}
act-fix-title = Corriger { $n ->
    [one] { $n } constat
   *[other] { $n } constats
}
act-replay-says = Rejoue la livraison #{ $id } ({ $provider } { $event } { $event_id }, { $result }) : son corps vérifié conservé est traité à nouveau par le code même du récepteur. La signature n'est pas revérifiée (elle était valide à l'arrivée de l'événement).
act-replay-no-body = cette livraison n'a gardé aucun corps vérifié : le rejeu sera refusé
act-replay-applied = Son événement est déjà appliqué : un rejeu le trouvera en doublon.
act-replay-title = Rejouer la livraison webhook #{ $id }
act-link-names-other = l'événement lui-même désigne la commande { $named }, pas { $number }
act-link-title = Rattacher l'orphelin #{ $id } à { $number }
act-link-says = Rattache l'orphelin #{ $id } ({ $what }) au paiement de la commande { $number } et y applique son événement, comme s'il avait correspondu à son arrivée.
act-dismiss-title = Écarter l'orphelin #{ $id }
act-dismiss-says = Ferme l'orphelin #{ $id } ({ $what }) sans appliquer son événement : pour un événement traité ailleurs.
act-dismiss-warn = si de l'argent a été pris pour lui, remboursez ou rattachez d'abord : écarter ne déplace rien
act-not-an-event = pas un événement : { $error }
act-failed-again = nouvel échec : { $error }
act-linked = rattaché à { $number } : { $detail }
act-dismissed = écarté
act-not-event-action = pas une action sur un événement
act-not-order-action = pas une action sur une commande
act-fix-never-by-itself = { $rule } : tally ne corrige jamais ceci de lui-même : { $action }
act-fixed = { $rule } corrigé
act-fix-gone = { $rule } : disparu au réexamen
act-fix-error = erreur : erreur de base de données : { $error }

## Le tableau de bord

dash-view-orders = Commandes
dash-view-payments = Paiements
dash-view-findings = Constats
dash-view-webhooks = Webhooks
dash-view-orphans = Orphelins
dash-view-statements = Relevés
dash-read-only = lecture seule (--read-only) : les actions sont désactivées
dash-nothing-to-clear = aucune recherche ni aucun filtre à effacer
dash-marks-cleared = { $n ->
    [one] { $n } marque effacée
   *[other] { $n } marques effacées
}
dash-range-cancelled = plage annulée
dash-works-in = { $what } : dans la vue { $view }
dash-search-where = la recherche marche dans Commandes et Paiements
dash-filter-where = les filtres marchent dans Commandes et Paiements
dash-sort-where = le tri marche dans Commandes et Paiements
dash-nothing-to-mark = rien à marquer ici
dash-actions-where = les actions sur les commandes marchent dans Commandes, Paiements et Constats
dash-fix-where = f corrige les constats : ouvrez la vue Constats (3)
dash-what-replay = rejouer
dash-what-link = rattacher
dash-what-dismiss = écarter

## Les touches du tableau de bord (l'écran ?)

key-down = ligne suivante
key-up = ligne précédente
key-page-down = page suivante
key-page-up = page précédente
key-top = première ligne
key-bottom = dernière ligne
key-next-view = vue suivante
key-prev-view = vue précédente
key-goto-view = Commandes, Paiements, Constats, Webhooks, Orphelins
key-open = détails : la commande, son paiement, le journal d'audit, les événements webhook
key-search = chercher un numéro, un client, un e-mail, une référence de paiement
key-filter = filtrer par statut de commande, statut de paiement, moyen de paiement
key-sort = trier par la colonne suivante
key-sort-reverse = inverser le tri
key-clear = effacer la recherche et les filtres
key-mark = marquer ou démarquer la ligne
key-mark-range = commencer une plage ; encore une fois pour en marquer toutes les lignes
key-mark-all = marquer toutes les lignes que le filtre montre
key-unmark = effacer les marques
key-cancel = annuler les commandes et leurs paiements
key-cancel-refund = annuler les commandes et les rembourser par Stripe/PayPal/Wave
key-refund = rembourser ce que les commandes conservent, par Stripe/PayPal/Wave
key-validate = valider (approuver) les paiements confirmés à la main : Wave, espèces
key-set-order-payment = changer le statut de paiement de la commande (reporté sur le paiement)
key-set-payment = changer le statut du paiement (reporté sur la commande)
key-fix = Constats : corriger ce que tally peut corriger
key-replay = Webhooks : rejouer l'événement
key-link = Orphelins : rattacher l'événement à une commande
key-dismiss = Orphelins : écarter l'événement
key-confirm = confirmer
key-decline = refuser
key-and-refund = annulation : annuler et rembourser par les prestataires à la place
key-close = fermer la ligne de recherche, le dialogue, les détails ou l'aide
key-search-keep = ligne de recherche : garder la recherche et quitter la ligne
key-search-clear-line = ligne de recherche : l'effacer
key-filter-change = dialogue des filtres : changer la valeur (↑/↓ choisissent le filtre)
key-refresh = recharger maintenant (il se recharge aussi tout seul)
key-sync = synchroniser en arrière-plan : ce que les webhooks ont manqué
key-help = cette aide
key-quit = quitter (depuis la vue principale)
key-force-quit = quitter de partout
key-group-move = Se déplacer
key-group-views = Vues
key-group-find = Chercher, filtrer, trier
key-group-mark = Marquer des lignes
key-group-act = Agir sur les lignes marquées (ou la ligne courante)
key-group-dialogs = Dialogues et ligne de recherche
key-group-general = Général
key-name-space = Espace
key-name-enter = Entrée
key-name-esc = Échap
key-name-backtab = Maj-Tab
key-name-pgup = PgPréc
key-name-pgdn = PgSuiv
key-name-home = Début
key-name-end = Fin
key-name-backspace = Retour arrière
dash-no-row = rien sur quoi agir : aucune ligne ici
dash-range-from = plage depuis { $number } : déplacez-vous, puis v encore pour la marquer (Échap annule)
dash-hint-search = chercher
dash-hint-filter = filtrer
dash-hint-sort = trier
dash-hint-mark = marquer
dash-hint-cancel = annuler
dash-hint-validate = valider
dash-hint-details = détails
dash-hint-replay = rejouer
dash-hint-link = rattacher
dash-hint-dismiss = écarter
dash-hint-fix = corriger
dash-hint-type = tapez pour chercher
dash-hint-keep = garder
dash-hint-clear = effacer
dash-hint-help = aide
dash-hint-quit = quitter
dash-count-orders = { $n ->
    [one] { $n } commande
   *[other] { $n } commandes
}
dash-count-payments = { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
}
dash-counting-orders = décompte des commandes…
dash-counting-payments = décompte des paiements…
dash-no-rows = aucune ligne pour l'instant
dash-no-match = rien ne correspond à la recherche et aux filtres (c les efface)
dash-col-number = Numéro
dash-col-date = Date
dash-col-customer = Client
dash-col-total = Total
dash-col-kept = Conservé
dash-col-status = Statut
dash-col-order-pay = Paiem. cde
dash-col-order-pay-short = Pai.cde
dash-col-provider = Moyen
dash-col-payment = Paiement
dash-col-reference = Référence
dash-col-amount = Montant
dash-col-raw-status = Statut brut
dash-col-order = Commande
dash-col-received = Reçu
dash-col-source = Moyen
dash-col-log-source = Origine
dash-col-event = Événement
dash-col-result = Résultat
dash-col-error = Erreur
dash-col-names-order = Cde nommée
dash-col-fix = Auto
dash-col-wrong-todo = Ce qui ne va pas → que faire
dash-fix-yes = oui
dash-no-delivery = aucune livraison webhook ici
dash-tab-failed = { $n ->
    [one] { $n } en échec
   *[other] { $n } en échec
}
dash-webhooks-query = journal des webhooks, du plus récent au plus ancien ; ✗ en échec
dash-no-deliveries = aucune livraison webhook pour l'instant
dash-delivery-title = Livraison webhook #{ $id }
dash-f-received = reçue
dash-f-provider = prestataire
dash-f-source = origine
dash-f-event = événement
dash-f-event-id = id événement
dash-f-signature = signature
dash-f-result = résultat
dash-f-event-state = état événement
dash-f-http = statut HTTP
dash-f-order = commande
dash-f-error = erreur
dash-f-replayable = rejouable
dash-replayable-yes = oui : `tally webhooks replay { $id }`
dash-replayable-no = non (aucun corps vérifié conservé)
dash-no-orphan = aucun orphelin ici
dash-type-number = tapez le numéro de la commande à rattacher
dash-link-prompt-title = Rattacher l'orphelin #{ $id } à une commande
dash-link-prompt-number = numéro de commande :
dash-link-prompt-keys = { $next } suite (une confirmation) · { $cancel } annuler
dash-orphans-query = événements de prestataires non résolus, du plus récent au plus ancien
dash-no-orphans = aucun événement de prestataire non résolu
dash-orphan-title = Orphelin #{ $id }
dash-f-reference = référence
dash-f-amount = montant
dash-f-names-order = cde nommée
dash-orphan-how = le rattacher : `tally orphans link { $id } COMMANDE` ; l'écarter : `tally orphans dismiss { $id }`
dash-findings-marked = { $n ->
    [one] { $n } constat marqué
   *[other] { $n } constats marqués
}
dash-range-started = plage commencée : déplacez-vous, puis v encore pour la marquer (Échap annule)
dash-findings-query = rapport de contrôle : { $n ->
    [one] { $n } constat
   *[other] { $n } constats
}, { $fixable ->
    [one] { $fixable } corrigeable
   *[other] { $fixable } corrigeables
} par tally
dash-checking = contrôle en cours…
dash-check-failed = le contrôle a échoué : { $error }
dash-checking-shop = contrôle de la boutique…
dash-nothing-to-report = rien à signaler : commandes et paiements concordent
dash-finding-title = Constat : { $rule }
dash-f-rule = règle
dash-f-means = signifie
dash-f-detail = détail
dash-f-action = action
dash-f-fixable = corrigeable
dash-yes = oui
dash-no = non
dash-sort-newest = plus récent
dash-sort-date = date
dash-sort-number = numéro
dash-sort-customer = client
dash-sort-total = total
dash-sort-order-status = statut commande
dash-sort-payment-status = statut paiement
dash-sort-status = statut
dash-filter-order-status = statut commande
dash-filter-payment-status = statut paiement
dash-filter-provider = moyen
dash-filter-any = tous
dash-filter-keys = ↑/↓ choisir · ←/→ changer · Échap fermer
dash-filter-title = Filtres
dash-query-search = recherche « { $text } »
dash-query-status = statut
dash-query-payment = paiement
dash-query-provider = moyen
dash-query-filter = filtre { $filters }
dash-query-sort = tri { $col }
dash-query-marked = { $n ->
    [one] { $n } marquée
   *[other] { $n } marquées
}
dash-query-range = plage depuis { $from }
dash-range-here = ici
dash-help-title = Touches (Échap ferme)
dash-choose-order-payment = Statut de paiement de la commande
dash-choose-payment = Statut du paiement
dash-declined = refusé : rien n'a changé
dash-working-keys = en cours… (Ctrl-c quitte ; chaque commande est validée à part)
dash-audited-as = Tracé au nom de { $actor }.
dash-cancel-and-refund = annuler et rembourser ({ $offer })
dash-working = en cours… { $done } sur { $total }
dash-summary-done = Fait : { $n }
dash-summary-skipped = Ignoré : { $n }
dash-summary-todo = À faire
dash-close = fermer
dash-choose-for = pour { $n ->
    [one] { $n } commande
   *[other] { $n } commandes
} (puis une confirmation)
dash-choose-keys = { $pick } choisir · { $cancel } annuler
dash-order-title = Commande { $number }
dash-detail-title = { $title } (Échap ferme, j/k défilent)
dash-d-payment = Paiement
dash-d-no-payment = aucun paiement enregistré
dash-d-order = Commande
dash-f-number = numéro
dash-f-customer = client
dash-f-total = total
dash-f-status = statut
dash-f-payment-status = statut paiement
dash-f-created = créée
dash-f-updated = modifiée
dash-f-paid = payée
dash-f-cancelled = annulée
dash-f-raw-status = statut brut
dash-f-set-by = fixé par
dash-f-captured = encaissé
dash-f-completed = terminé
dash-f-refund = remboursement
dash-f-dispute = litige
dash-d-refund-owed = dû, pas encore confirmé
dash-d-dispute-open = une rétrofacturation est ouverte
dash-d-attempts = Paiements ({ $n }, du plus récent au plus ancien) et leur argent
dash-d-main-payment = le paiement de la commande
dash-d-provider-fee = frais prestataire
dash-d-net = net
dash-d-statement-lines = { $n } ligne(s) de relevé
dash-fig-captured = encaissé
dash-fig-refunded = remboursé
dash-fig-refunds-pending = rembt en attente
dash-fig-refunds-failed = rembt échoués
dash-fig-disputed = en litige
dash-fig-lost = perdu
dash-fig-kept = gardé
dash-fig-owed = dû
dash-d-nothing-captured = rien d'encaissé
dash-d-findings = Constats ({ $n })
dash-d-no-findings = aucun : la commande et le paiement concordent
dash-d-audit = Journal d'audit ({ $n })
dash-d-no-audit = aucun changement enregistré
dash-d-change-order = commande { $change }
dash-d-change-order-payment = paiement commande { $change }
dash-d-change-payment = paiement { $change }
dash-d-webhooks = Événements webhook ({ $n })
dash-d-no-webhooks = aucun reçu pour cette commande
dash-too-small = terminal trop petit : { $width }×{ $height }
    tally dash demande au moins { $min_width }×{ $min_height }
    (q quitte)
dash-title = tally dash · { $db } · acteur { $actor }
dash-title-read-only = LECTURE SEULE
dash-title-zone = dates en { $zone }
dash-count-failed = le décompte a échoué : { $error }
dash-row-gone = cette ligne a disparu
dash-marked-cap = les { $n } premières lignes sont marquées (le maximum d'un coup) : affinez la recherche ou les filtres pour le reste
dash-rows-marked = { $n ->
    [one] { $n } ligne marquée
   *[other] { $n } lignes marquées
}

## tally check : les règles, les faits de chaque constat, l'action à mener

rule-status_mismatch = le statut de paiement de la commande n'est pas celui, transposé, de son paiement
rule-paid_without_payment = une commande marquée Payée sans paiement enregistré
rule-amount_mismatch = un paiement Terminé d'un autre montant que le total de la commande
rule-currency_mismatch = un paiement Terminé dans une autre devise que celle de la commande
rule-cancelled_but_captured = une commande annulée qui garde plus qu'elle ne doit rendre : le client a été débité
rule-refund_awaiting_provider = annulée dans tally, le remboursement dû pas encore fait (le montant qui reste à rembourser)
rule-disputed = un litige ouvert (rétrofacturation ou demande) sur un paiement
rule-missing_timestamp = Payée sans paid_at, Terminé sans completed_at, ou Annulée sans cancelled_at
rule-stale_pending = un paiement En attente depuis trop longtemps
rule-orphan_transaction = un événement de prestataire qui ne correspond à aucun paiement local
rule-webhook_failed = un événement de prestataire dont le traitement a échoué et n'a jamais été appliqué
rule-fulfilled_unpaid = une commande Expédiée ou Livrée dont l'argent manque (rien d'encaissé, un débit échoué, un litige perdu)
rule-dispute_lost = de l'argent repris par un litige perdu ou une annulation non rétablie
rule-refund_failed = un remboursement que le prestataire dit échoué : le client n'a pas été remboursé
rule-duplicate_payment = plus d'un paiement d'une même commande garde de l'argent
rule-missing_at_provider = de l'argent capturé ou remboursé selon le grand livre que le relevé du prestataire ne montre pas à cette date
rule-unknown_to_tally = de l'argent que le relevé du prestataire montre reçu ou remboursé et auquel aucun paiement de tally ne correspond
rule-statement_mismatch = le relevé du prestataire montre un autre montant ou une autre devise que le grand livre pour un paiement ou un remboursement
rule-unrecorded_refund = un remboursement que montre le relevé du prestataire et que le grand livre n'a pas
rule-unrecorded_dispute = un litige que montre le relevé du prestataire et que le grand livre n'a pas
why-prefer-payment = --prefer payment
why-prefer-order = --prefer order
why-provider-event = le statut du paiement vient d'un événement { $provider } vérifié
why-order-last = la commande a changé en dernier
why-payment-last = le paiement a changé en dernier
why-tie = les deux ont changé en même temps : le paiement l'emporte en cas d'égalité
finding-paid-without-payment = commande Payée ({ $total }), aucun paiement enregistré
action-paid-without-payment = retrouvez le paiement : importez-le, ou `tally order set-payment-status { $number } pending` s'il n'est jamais venu
finding-stale-pending = paiement { $provider } En attente depuis { $time }
action-stale-pending = vérifiez chez { $provider } ou auprès du client, puis `tally order validate { $number }` ou `tally order cancel { $number }`
time-days = { $n } jours
time-hours = { $n ->
    [one] { $n } heure
   *[other] { $n } heures
}
finding-status-mismatch = commande { $order }, paiement { $payment }
action-mismatch-cancelled-captured = pas de correction automatique tant que le paiement de la commande annulée est encaissé : réglez d'abord cela
action-set-order-payment = passer le statut de paiement de la commande à { $status } ({ $reason })
action-set-payment = passer le statut du paiement à { $status } ({ $reason })
finding-missing-timestamp = manque { $fields }
action-missing-timestamp = remplir { $fields } depuis le journal d'audit, sinon depuis updated_at
payment-named = paiement { $provider } { $reference }
payment-named-attempt = paiement { $provider } n° { $attempt }
finding-captured-other = commande { $total }, { $provider } a encaissé { $charged }
action-currency-mismatch = vérifiez le paiement chez { $provider } : remboursez et débitez à nouveau en { $currency }, ou corrigez la commande
action-paid-less = le client a payé moins que le total : encaissez ou remboursez la différence chez { $provider }, ou corrigez la commande
action-paid-more = le client a payé plus que le total : encaissez ou remboursez la différence chez { $provider }, ou corrigez la commande
finding-cancelled-keeps = commande Annulée, le { $payment } garde { $extra }
action-cancelled-keeps-provider = remboursez { $extra } chez { $provider } (son événement de remboursement effacera ceci), ou rouvrez la commande
action-cancelled-keeps-hand = remboursez { $extra } à la main, puis `tally payment record-refund { $number } --amount { $amount } --note ...`
finding-refund-owed = annulée dans tally, { $owed } encore à rembourser sur le { $payment }
action-refund-owed-provider = remboursez { $owed } chez { $provider } si ce n'est pas fait ; son événement de remboursement efface ceci (ou `tally resolve { $number } refund_awaiting_provider --note ...`)
action-refund-owed-hand = remboursez { $owed } à la main, puis `tally payment record-refund { $number } --note ...`
finding-inquiry = demande
finding-chargeback = rétrofacturation
finding-disputed = { $what }{ $id } de { $amount } sur le { $payment }
action-disputed = répondez au litige chez { $provider } ; une fois réglé, `tally resolve { $number } disputed --note ...`
finding-dispute-lost = { $amount } repris par { $provider }{ $id } sur le { $payment }
action-dispute-lost = l'argent est perdu : retenez la marchandise si elle n'est pas partie, sinon passez-le en perte ; puis `tally resolve { $number } dispute_lost --note ...`
finding-refund-failed = remboursement{ $id } de { $amount } échoué sur le { $payment }
action-refund-failed = le client n'a pas été remboursé : remboursez à nouveau chez { $provider } (ou autrement), puis `tally resolve { $number } refund_failed --note ...`
finding-fulfilled-unpaid = commande { $status }, { $missing } sur { $total } non payés
action-fulfilled-unpaid = la marchandise est partie sans être payée : encaissez { $missing } auprès du client, ou arrêtez l'envoi ; une fois réglé, `tally resolve { $number } fulfilled_unpaid --note ...`
finding-paid-twice = payée deux fois : le { $main } et le { $other } gardent tous deux de l'argent
action-paid-twice = remboursez { $extra } du { $other } (`tally payment record-refund { $number } --payment { $reference }` une fois fait à la main)
finding-orphan = orphelin #{ $id } : { $provider } { $event_type } { $reference }{ $amount } : { $why }
finding-orphan-amount = {" "}{ $amount }
finding-orphan-note = { $note }
finding-orphan-names-order = désigne la commande { $number }, dont le paiement a une autre référence : un double débit possible
finding-orphan-no-match = ne correspond à aucun paiement
action-orphan = rattachez-le avec `tally orphans link { $id } COMMANDE`, ou `tally orphans dismiss { $id }` une fois traité
finding-webhook-failed = { $provider } { $event_type } { $event_id } a échoué : { $error }
finding-unknown-error = erreur inconnue
action-webhook-failed = voir `tally webhooks --failed` ; une fois la cause corrigée, `tally webhooks replay ID` (le prestataire réessaie aussi)

## Le rapport de tally check

check-col-order = commande
check-col-facts = faits
check-col-action = action
check-col-done = fait
check-col-plan = prévu
check-col-rule = règle
check-col-findings = constats
check-fix-will = tally fix va : { $action }
check-fixed = { $n ->
    [one] { $n } constat corrigé :
   *[other] { $n } constats corrigés :
}
check-dry-run = Essai à blanc : `tally fix` corrigerait { $n ->
    [one] { $n } constat
   *[other] { $n } constats
}, et rien n'a été écrit :
check-nothing = { $orders ->
    [one] { $orders } commande contrôlée
   *[other] { $orders } commandes contrôlées
} : rien à signaler.
check-findings = { $orders ->
    [one] { $orders } commande contrôlée
   *[other] { $orders } commandes contrôlées
} : { $n ->
    [one] { $n } constat
   *[other] { $n } constats
}.
dash-no-terminal = tally dash a besoin d'un terminal (la sortie standard n'en est pas un) ; utilisez `tally check` ou `tally export` dans les scripts
dash-no-takeover = impossible de prendre la main sur le terminal : { $error }

## Import, export, la base de données

plain = { $text }
# Des messages à la suite : { $a } puis { $b }.
join = { $a }{ $sep }{ $b }
import-invalid = { $n ->
    [one] { $n } problème, rien n'a été importé :
   *[other] { $n } problèmes, rien n'a été importé :
}
import-cannot-read = impossible de lire { $path } : { $error }
export-cannot-write = impossible d'écrire { $path } : { $error }
import-csv-error = erreur CSV : { $error }
import-json-error = erreur JSON : { $error }
import-unknown-field = champ inconnu (champs connus : { $known })
import-missing = manquant (obligatoire)
import-not-a-timestamp = { $text } n'est pas une date RFC 3339 (par ex. 2026-11-01T10:00:00Z) : { $error }
import-not-a-boolean = { $text } n'est pas un booléen (valeurs valides : true, false)
import-not-an-email = { $text } n'est pas une adresse e-mail
import-stateless = { $state } : un mouvement { $kind } n'a pas d'état (seuls les mouvements refund et dispute en ont)
import-not-json = JSON invalide : { $error }
import-expected-object-arrays = attendu : un objet JSON avec des tableaux "orders", "payments" et/ou "movements"
import-must-be-array = "{ $key }" doit être un tableau
import-expected-string = attendu : une chaîne, trouvé { $found } (les montants sont des chaînes décimales comme "89.90")
import-expected-object = attendu : un objet
import-duplicate = { $what } figure déjà en { $first }
import-csv-header = impossible de lire l'en-tête CSV : { $error }
import-csv-unrecognised = en-tête CSV non reconnu : un fichier de commandes a une colonne "number", un fichier de paiements des colonnes "order" et "provider", un fichier de mouvements des colonnes "order" et "kind"
import-csv-malformed = CSV mal formé : { $error }
import-dup-order = la commande { $number }
import-dup-reference = la référence { $provider } { $reference }
import-dup-no-reference = un paiement { $provider } de la commande { $number } sans référence
import-unknown-key = clé de premier niveau inconnue { $key } (attendu : "orders", "payments" et "movements")
import-order-unknown = la commande { $number } n'est ni dans l'import ni dans la base
import-reference-taken = la référence { $provider } { $reference } appartient déjà à la commande { $other }
import-with-reference = la référence { $reference }
import-with-no-reference = aucune référence
import-payment-unknown = le paiement { $provider } de la commande { $number } avec { $payment } n'est ni dans l'import ni dans la base
store-missing = aucune base de données en { $path } (créez-en une avec `tally import FICHIER` ou `tally demo`, ou indiquez la vôtre par --db / TALLY_DB)
store-open = impossible d'ouvrir la base { $path } : { $error }
store-create = impossible de créer la base { $path } : { $error }
store-too-new = la base { $path } a le schéma { $found }, plus récent que ce que ce tally connaît ({ $supported }) : mettez tally à jour
store-migrate = impossible de migrer la base { $path } vers le schéma { $to } : { $error }
resolve-fixable = { $rule } se corrige par `tally fix`, pas à la main (resolve clôt les constats que tally ne corrige jamais)
resolve-nothing-open = la commande { $number } n'a aucun constat { $rule } ouvert à clore
resolve-several = la commande { $number } a plusieurs constats { $rule } ouverts ({ $ids }) : désignez-en un avec --id
resolve-empty-note = --note doit dire ce qui a été fait

## import, export, demo, backup, resolve

import-done = importé : { $orders_created } commandes créées, { $orders_updated } modifiées ; { $payments_created } paiements créés, { $payments_updated } modifiés ; { $unchanged } inchangés ; { $movements } mouvements enregistrés
export-cannot-create = impossible de créer { $path } : { $error }
export-csv-needs-output = l'export CSV écrit trois fichiers (orders.csv, payments.csv et movements.csv) : donnez --output DOSSIER
demo-orders-zero = --orders doit valoir au moins 1
demo-already = { $db } contient déjà une boutique de { $n } commandes : la voici (prenez une autre --db pour une nouvelle démo)
demo-done = boutique de démonstration dans { $db } : { $orders } commandes, { $payments } paiements ({ $seconds } s)
demo-cases = Cas à regarder (essayez `tally order show TEST1014`) :
backup-exists = { $path } existe déjà : une sauvegarde n'écrase jamais un fichier
backup-done = sauvegarde de { $db } écrite dans { $path } ({ $size } octets)
resolve-done = { $number } : { $rule } clos par { $actor } ; check le signalera de nouveau si la commande ou son paiement change

# Les cas de la démo (tally demo) ; les identifiants de règle restent en anglais.
demo-case-TEST1001 = status_mismatch : commande En attente, paiement Terminé
demo-case-TEST1008 = status_mismatch : commande Échouée, paiement En attente
demo-case-TEST1014 = status_mismatch : commande Payée, paiement En attente
demo-case-TEST1021 = paid_without_payment
demo-case-TEST1022 = paid_without_payment
demo-case-TEST1023 = amount_mismatch : Stripe a encaissé moins que le total
demo-case-TEST1024 = amount_mismatch : PayPal a encaissé plus que le total
demo-case-TEST1025 = currency_mismatch : PayPal a encaissé des USD pour une commande en EUR
demo-case-TEST1026 = cancelled_but_captured : Stripe
demo-case-TEST1027 = cancelled_but_captured : Wave
demo-case-TEST1028 = refund_awaiting_provider : Stripe
demo-case-TEST1029 = refund_awaiting_provider : Wave
demo-case-TEST1030 = disputed : rétrofacturation Stripe
demo-case-TEST1031 = missing_timestamp : Payée sans paid_at
demo-case-TEST1032 = missing_timestamp : Annulée sans cancelled_at
demo-case-TEST1033 = stale_pending : Wave En attente depuis 5 jours
demo-case-TEST1034 = stale_pending : Stripe En attente depuis 3 jours
demo-case-TEST1035 = dispute_lost, fulfilled_unpaid : une rétrofacturation perdue sur une commande expédiée
demo-case-TEST1036 = refund_failed : un remboursement Stripe échoué
demo-case-TEST1037 = duplicate_payment : le client a été débité deux fois par Stripe
demo-case-TEST1038 = fulfilled_unpaid : un prélèvement SEPA échoué après l'expédition
demo-case-TEST1039 = amount_mismatch : une capture partielle (179,80 autorisés, 100,00 encaissés), puis un remboursement de 20,20
demo-case-TEST1041 = aucun constat : un paiement Stripe d'une commande prévue pour Wave (deux tentatives)

## tally orphans, tally webhooks

orphans-none = aucun orphelin ouvert
orphans-how = rattachez-en un avec `tally orphans link ID COMMANDE`, ou `tally orphans dismiss ID` une fois traité
orphan-linked = orphelin #{ $id } rattaché à { $order } : { $result } ({ $detail })
orphan-dismissed = orphelin #{ $id } écarté ({ $what })
cli-col-received = reçu
cli-col-provider = prestataire
cli-col-source = source
cli-col-event = événement
cli-col-reference = référence
cli-col-amount = montant
cli-col-order = commande
cli-col-state = état
cli-col-note = note
cli-col-signature = signature
cli-col-result = résultat
cli-col-error = erreur
webhooks-none = aucune requête webhook enregistrée
webhooks-none-failed = aucun événement en échec
webhooks-since-applied = (appliqué depuis)
webhooks-failed-how = une fois la cause corrigée : `tally webhooks replay ID` (le prestataire réessaie aussi)
replay-not-an-event = #{ $id } : le corps conservé n'est pas un événement : { $error }
replay-failed-again = #{ $id } : le traitement a de nouveau échoué : { $error }
prune-dropped = { $bodies ->
    [one] { $bodies } corps conservé supprimé
   *[other] { $bodies } corps conservés supprimés
} et { $addresses ->
    [one] { $addresses } adresse distante
   *[other] { $addresses } adresses distantes
} des requêtes webhook reçues avant le { $before }
prune-kept = { $kept ->
    [one] { $kept } corps gardé
   *[other] { $kept } corps gardés
} encore utiles à des orphelins ouverts ou des événements en échec : rattachez-les ou écartez-les (`tally orphans`), ou rejouez-les (`tally webhooks --failed`), puis relancez prune
prune-ids-kept = les identifiants d'événements et leurs résultats sont gardés : un événement relivré reçoit toujours la réponse doublon
prune-wal = note : le journal d'écriture anticipée n'a pas pu être tronqué maintenant (un autre processus lit) ; SQLite le réutilise plus tard

## tally doctor

doctor-ok = ok
doctor-warning = attention
doctor-problem = problème
doctor-hint = (conseil : { $hint })
doctor-name-database = base
doctor-name-db-file = fichier base
doctor-name-db-directory = dossier base
doctor-name-wal = wal
doctor-name-stripe-secret = secret stripe
doctor-name-paypal-id = id paypal
doctor-name-wave-secret = secret wave
doctor-name-env-file = fichier env
doctor-name-paypal-certs = certifs paypal
doctor-name-last-webhook = dernier webhook
doctor-name-rejections = refus
doctor-name-stripe-api = api stripe
doctor-name-stripe-api-key = clé api stripe
doctor-name-paypal-api = api paypal
doctor-name-wave-api = api wave
doctor-name-sync = sync
doctor-name-language = langue

## Les vérifications de tally doctor

doc-db-missing-hint = indiquez le fichier de la boutique par --db ou TALLY_DB
doc-cannot-read = { $path } ne peut pas être lu : { $error }
doc-db-unreadable-hint = vérifiez que cet utilisateur peut lire le fichier et son dossier
doc-db-too-new = { $path } a le schéma { $found }, plus récent que ce tally ({ $supported })
doc-db-too-new-hint = mettez tally à jour : un binaire plus ancien refuse cette base
doc-db-old = { $path } a le schéma { $found }, ce tally écrit le { $supported }
doc-db-old-hint = la prochaine commande tally la migre : faites d'abord un `tally backup`
doc-db-journal = { $path } est en mode de journal { $mode }, pas WAL
doc-db-journal-hint = toute commande tally (par ex. `tally check`) la passe en WAL
doc-db-ok = { $path } s'ouvre, schéma { $found } (à jour), journal WAL
doc-what-db = il contient les données personnelles des clients
doc-dir-world = { $path } est modifiable par tous (mode { $mode }) : n'importe qui peut remplacer la base
doc-dir-world-hint = chmod 750 { $path } (appartenant à l'utilisateur tally)
doc-dir-owner = { $path } appartient à l'uid { $uid }, pas à cet utilisateur
doc-dir-owner-hint = SQLite crée les fichiers -wal et -shm à côté de la base : le dossier doit être modifiable par l'utilisateur tally
doc-dir-readonly = { $path } n'est pas modifiable par son propriétaire (mode { $mode })
doc-dir-readonly-hint = SQLite crée les fichiers -wal et -shm à côté de la base : chmod u+w sur le dossier
doc-dir-ok = { $path } (mode { $mode })
doc-wal-none = aucun journal d'écriture anticipée pour l'instant (rien en attente de point de contrôle)
doc-wal-big = le journal d'écriture anticipée fait { $size } (plus de { $limit })
doc-wal-big-hint = un lecteur de longue durée empêche SQLite de faire ses points de contrôle (un tableau de bord resté ouvert ?) ; il diminue quand les lecteurs ferment
doc-what-wal = il contient les changements récents de la boutique
doc-wal-ok = le journal d'écriture anticipée fait { $size }
doc-env-hint-file = définissez-le dans le --env-file qu'utilise le récepteur
doc-env-hint = définissez-le là d'où vient l'environnement du récepteur, et vérifiez-le avec `tally doctor --env-file FICHIER`
doc-stripe-unset-used = STRIPE_WEBHOOK_SECRET n'est pas défini, mais la boutique a { $n } paiements Stripe : leurs webhooks seraient refusés
doc-stripe-unset = STRIPE_WEBHOOK_SECRET n'est pas défini : les webhooks Stripe sont coupés
doc-stripe-refused-hint = copiez le secret de signature (whsec_...) depuis la page du point de terminaison dans le tableau de bord Stripe
doc-stripe-unusual = STRIPE_WEBHOOK_SECRET contient { $count } secret(s), dont { $unusual } ne commençant pas par whsec_
doc-stripe-unusual-hint = les secrets de signature de Stripe commencent par whsec_
doc-stripe-one = STRIPE_WEBHOOK_SECRET est défini (1 secret)
doc-stripe-rotation = STRIPE_WEBHOOK_SECRET est défini ({ $count } secrets : une rotation en cours ; retirez l'ancien une fois que Stripe a basculé)
doc-paypal-unset-used = PAYPAL_WEBHOOK_ID n'est pas défini, mais la boutique a { $n } paiements PayPal : leurs webhooks seraient refusés
doc-paypal-unset = PAYPAL_WEBHOOK_ID n'est pas défini : les webhooks PayPal sont coupés
doc-paypal-simulator = PAYPAL_WEBHOOK_ID vaut { $id }, l'id avec lequel signe le simulateur de PayPal : n'importe qui peut envoyer des événements authentiquement signés
doc-paypal-simulator-hint = indiquez l'id de votre webhook (tableau de bord développeur PayPal, votre application, Webhooks)
doc-paypal-set = PAYPAL_WEBHOOK_ID est défini
doc-wave-refused-hint = copiez le secret du webhook (wave_sn_WHS_...) depuis le Business Portal de Wave (Développeurs, Webhooks) ; une clé d'API ne doit jamais se trouver ici
doc-wave-unusual = WAVE_WEBHOOK_SECRET contient { $count } secret(s), dont { $unusual } n'ayant pas la forme d'un secret de webhook Wave
doc-wave-unusual-hint = les secrets de webhook de Wave commencent par wave_sn_WHS_ (le code du pays peut varier)
doc-wave-one = WAVE_WEBHOOK_SECRET est défini (1 secret)
doc-wave-rotation = WAVE_WEBHOOK_SECRET est défini ({ $count } secrets : une rotation en cours ; retirez l'ancien une fois son webhook supprimé chez Wave)
doc-what-env = il contient les secrets des webhooks
doc-certs-unused = inutilisés : les webhooks PayPal sont coupés
doc-cert-error = --paypal-cert { $path } : { $error }
doc-cert-error-hint = épinglez le certificat PEM de PayPal, ou retirez --paypal-cert pour le télécharger
doc-cert-not-paypal = --paypal-cert { $path } n'est pas le certificat de vérification des messages de PayPal
doc-cert-not-paypal-hint = épinglez le certificat que nomme PAYPAL-CERT-URL
doc-cert-expired = --paypal-cert { $path } a expiré le { $date }
doc-cert-expired-hint = épinglez le certificat actuel de PayPal, ou retirez --paypal-cert pour le télécharger
doc-cert-expires = --paypal-cert { $path } expire le { $date }
doc-cert-expires-hint = épinglez le prochain certificat de PayPal d'ici là
doc-cert-ok = --paypal-cert { $path } est celui de PayPal, valable jusqu'au { $date }
doc-cache-none = { $path } n'existe pas encore : le récepteur le crée à la première livraison PayPal
doc-cache-writable = { $path } est modifiable par d'autres (mode { $mode }) : un certificat déposé leur permettrait de forger des webhooks PayPal
doc-chmod-700 = chmod 700 { $path }
doc-cache-unreadable-hint = le récepteur doit posséder son cache de certificats : chown à l'utilisateur tally
doc-cache-unusable = { $path } : { $certificates } certificat(s), { $unusable } fichier(s) illisible(s) ou inutilisable(s)
doc-cache-unusable-hint = les fichiers inutilisables sont ignorés et téléchargés à nouveau ; supprimez-les
doc-cache-ok = { $path } est lisible, { $certificates } certificat(s) en cache
doc-webhook-never = aucun webhook vérifié n'a jamais été reçu, alors que la boutique a des paiements Stripe ou PayPal
doc-webhook-never-hint = vérifiez l'URL du point de terminaison chez le prestataire et que le récepteur est joignable ; essayez `tally send-test-event`
doc-webhook-none = aucun reçu pour l'instant (et aucun paiement Stripe ou PayPal)
doc-webhook-old = le dernier webhook vérifié date de { $ago } ({ $provider } { $kind }), mais des paiements ont été créés depuis
doc-webhook-old-hint = le récepteur tourne-t-il et est-il joignable ? `systemctl status tally`, le journal d'erreurs du proxy, le journal de livraison du prestataire
doc-webhook-ok = { $ago } ({ $provider } { $kind }, { $at })
doc-rej-expired = { $n } livraisons refusées comme expirées ces dernières 24 h
doc-rej-expired-hint = l'horloge de cette machine est-elle juste ? `timedatectl` (NTP) ; ou un proxy qui retient les requêtes des minutes
doc-rej-ok = { $n } requête(s) refusée(s) ces dernières 24 h, aucune ne suggérant un mauvais secret
doc-rej-rotated = { $bad } livraisons { $name } à la signature invalide ces dernières 24 h et aucune vérifiée : un secret changé chez { $name } mais pas ici ?
doc-rej-rotated-hint = donnez à { $setting } la valeur actuelle du point de terminaison (pendant une rotation, l'ancien et le nouveau secret de Stripe ou de Wave séparés par une virgule) et redémarrez le récepteur
doc-rej-bad = { $bad } livraisons { $name } à la signature invalide ces dernières 24 h ({ $good } vérifiées)
doc-rej-bad-hint = quelqu'un qui sonde le point de terminaison, ou un second point de terminaison chez le prestataire avec un autre secret : `tally webhooks` les liste
doc-rej-unconfigured = { $n } livraisons { $name } refusées ces dernières 24 h parce que { $setting } n'est pas défini
doc-rej-unconfigured-hint = définissez { $setting } dans l'environnement du récepteur, ou supprimez le point de terminaison chez { $name }
doc-ago-days = il y a { $n } jours
doc-ago-hours = il y a { $n } h
doc-ago-minutes = il y a { $n } min
doc-file-world = { $path } est accessible à tous (mode { $mode }) : { $what }
doc-chmod-600 = chmod 600 { $path }
doc-file-group = { $path } est accessible à son groupe (mode { $mode }) : { $what }
doc-chmod-600-group = chmod 600 { $path }, sauf si ce groupe doit le lire
doc-file-owner = { $path } appartient à l'uid { $uid }, et ceci est l'uid { $me }
doc-file-owner-hint = lancez le récepteur, cron et le tableau de bord en tant que propriétaire du fichier (un seul utilisateur système), par ex. `sudo -u tally tally doctor`
doc-file-ok = { $path } est privé à son propriétaire (mode { $mode })

## Les vérifications d'API de tally doctor (les réponses des prestataires restent telles qu'ils les donnent)

doc-api-stripe-ok = STRIPE_API_KEY défini (mode { $mode }) ; Stripe répond (liste des événements)
doc-api-stripe-hint = vérifiez la clé et ses droits (lecture : events, PaymentIntents, charges, disputes, refunds)
doc-api-stripe-secret = STRIPE_API_KEY est une clé secrète (sk_) : elle peut déplacer de l'argent, sync ne fait que lire
doc-api-stripe-secret-hint = créez une clé restreinte (rk_) avec un accès en lecture aux events, PaymentIntents, charges, disputes et refunds
doc-api-paypal-ok = PAYPAL_CLIENT_ID et son secret définis ({ $mode }) ; PayPal répond (jeton)
doc-api-paypal-hint = vérifiez l'identifiant client et le secret de l'application, et PAYPAL_MODE
doc-api-wave-ok = WAVE_API_KEY défini ; Wave répond (lecture d'une session de paiement)
doc-api-wave-hint = vérifiez la clé (wave_sn_prod_...) dans le Business Portal (Développeurs → Clés d'API) : elle a besoin de l'API Checkout, et tally ne signe pas ses requêtes (une clé créée avec la signature des requêtes est refusée)
doc-api-sync-unseen = tally sync a appliqué { $n } événement(s) { $provider } ces { $days } derniers jours que le récepteur n'a jamais reçus
doc-api-sync-unseen-hint = vérifiez le point de terminaison du webhook chez le prestataire (URL, secret, événements activés) et que `tally serve` est joignable

## tally refund, la garde de l'annulation, order cancel --refund (les réponses des prestataires restent telles qu'ils les donnent)

rfd-plan = { $order } : { $action }
rfd-plan-action = rembourser { $amount } par { $provider } ({ $target }) ; la commande conservera { $keeps }
rfd-waiting = { $number } : attente du remboursement de { $amount } par { $provider } demandé par { $actor } (il y a { $secs } s)
rfd-cannot-settle = { $number } : un remboursement { $provider } antérieur de { $amount } est { $state } et les identifiants { $provider } ne sont pas configurés ({ $var }) : tally ne peut pas le régler ; définissez-les et relancez
rfd-earlier = { $number } : le remboursement antérieur de { $amount } par { $provider } (de { $actor }, { $at }) est { $state }
rfd-earlier-id = { $earlier } ({ $id })
rfd-earlier-why = { $earlier } : { $why }
rfd-earlier-not-found = { $earlier } : le prestataire ne connaît pas ce remboursement
rfd-no-answer = pas de réponse
rfd-unknown = { $number } : le remboursement { $p } de { $amount } est inconnu ({ $why }). Rien de plus ne sera remboursé sur ce paiement avant qu'il soit réglé : relancez `tally refund { $number }` (il interroge { $p } avec la même clé d'idempotence, il ne peut donc pas rembourser deux fois), ou cherchez l'intention { $key } chez { $p }
rfd-no-payment = { $number } : aucun paiement enregistré : rien à rembourser
rfd-several = { $number } : { $n } paiements conservent de l'argent ; indiquez lequel avec --payment : { $list }
rfd-keeps = { $provider } { $reference } conserve { $kept }
rfd-no-reference = (sans référence)
rfd-line = { $number } : { $text }
rfd-bad-amount = { $number } : --amount { $text } : { $error }
rfd-settled-summary = { $notes } ({ $reason })
rfd-payment-gone = { $number } : le paiement a disparu
rfd-keep-starting = { $number } : d'autres remboursements de ce paiement ne cessent de démarrer ; relancez
rfd-unrecorded = { $number } : { $provider } a répondu, mais tally n'a pas pu l'enregistrer ({ $error }) : relancez `tally refund { $number }` pour le régler
rfd-refunded = { $amount } remboursé par { $p } ({ $id }) ; la commande conserve { $keeps }
rfd-pending = remboursement de { $amount } en attente chez { $p } ({ $id }) ; ses événements diront quand il arrive
rfd-failed = { $number } : le remboursement { $id } de { $amount } chez { $p } a échoué : le client n'a pas été remboursé
rfd-refused-by = { $number } : { $p } a refusé le remboursement de { $amount } : { $why }
rfd-no-reason = sans raison donnée
rfd-intent-gone = l'intention de remboursement { $key } a disparu
rfd-intent-order-gone = la commande de l'intention a disparu
rfd-intent-payment-gone = le paiement de l'intention a disparu
rfd-cli-one-payment = { $flag } porte sur un seul paiement : donnez un seul numéro de commande avec lui ({ $given } donnés)
rfd-cli-no-terminal = pas de terminal pour confirmer les remboursements : ajoutez --yes pour rembourser sans demander (rien n'a été modifié)
rfd-ask = { $question } ? [o/N]
rfd-dry-run = { $plan } (simulation : rien n'a été demandé)
rfd-not-confirmed = { $number } : non confirmé
rfd-line-error = { $number } : erreur : { $text }
rfd-summary = { $refunded } remboursée(s), { $refused } refusée(s), { $unknown } inconnue(s)
cnl-not-cancelled = non annulée : { $reason }
cnl-question = annuler { $number }
cnl-question-refund = annuler { $number } et { $action }
cnl-not-confirmed = non confirmé
cnl-cli-no-terminal = pas de terminal pour confirmer les remboursements : ajoutez --yes pour annuler et rembourser sans demander (rien n'a été modifié)
cnl-refund-line = remboursement : { $text }
cnl-refund-error = remboursement : erreur : { $text }
grd-unreachable = { $number } : impossible de demander à { $p } si le paiement en attente a été payé entre-temps ({ $error }) : non annulée. `--offline` annule sans interroger { $p }
grd-paid = { $number } : payée chez { $p } ({ $what }) alors que tally la croyait en attente : { $applied } ; non annulée. Pour l'annuler et rendre l'argent : `tally order cancel { $number } --refund`
grd-moving = { $number } : { $p } traite le paiement ({ $what }) : l'argent est peut-être en mouvement, elle n'est donc pas annulée ; réessayez quand { $p } l'aura réglé
grd-not-recorded = non enregistré ({ $error })
grd-offline = { $number } : non vérifiée auprès de { $p } (--offline)
grd-not-configured = { $number } : non vérifiée auprès de { $p } ({ $var } n'est pas défini)
grd-pi-cancelled = { $number } : PaymentIntent { $id } annulé chez Stripe
grd-stripe-would-not = { $number } : Stripe refuse d'annuler le PaymentIntent { $id } ({ $error }) : non annulée
grd-paypal-no-capture = { $number } : non vérifiée auprès de PayPal (le paiement n'a pas d'identifiant de capture, et PayPal n'a pas de recherche par commande)
grd-paypal-unknown = { $number } : PayPal ne connaît aucune capture ni vente { $reference }
grd-wave-expired = { $number } : session de paiement { $id } expirée chez Wave
act-cancel-refund-title = { $title } et les rembourser
act-refund-title = Rembourser { $n ->
    [one] { $n } commande
   *[other] { $n } commandes
}
act-refund-through = Rembourse { $n ->
    [one] { $n } paiement
   *[other] { $n } paiements
} par { $provider } ({ $amounts }), chacun une seule fois (une intention de remboursement avec sa propre clé).
act-refund-nothing = Aucun paiement ici ne conserve d'argent : rien à rembourser.
act-refund-cash = { $n ->
    [one] { $n } est
   *[other] { $n } sont
} en espèces : remboursez à la main, puis `tally payment record-refund`
act-done-and-refund = { $summary } ; { $refund }
act-refund-warning = remboursement : { $reason }
act-needs-apis = les API des prestataires sont nécessaires

## tally sync (les mots d'un changement viennent de l'ingestion, comme dans tally webhooks ; le JSON reste en anglais)

sync-busy = tally sync : une autre synchronisation tourne sur { $path } ; rien à faire
sync-fetching = { $provider } : récupération des événements ({ $events })
sync-applying = { $provider } : application
sync-asking = { $provider } : interrogation sur les paiements en attente
sync-would = ferait :
sync-no-order = (sans commande)
sync-from-event = événement
sync-from-fact = fait
sync-problem = problème : { $text }
sync-summary = { $provider } : { $seen } événements vus, { $applied } appliqués, { $duplicates } doublons, { $stale } périmés, { $orphans } orphelins, { $failed } en échec ; { $asked } paiements en attente interrogés ; { $calls } appels d'API
sync-state-stopped = (arrêté par une erreur)
sync-state-dry-run = (simulation : rien n'a été écrit)
sync-the-watermark = le repère
sync-problem-retention = { $what } ({ $since }) est plus ancien que ce que { $provider } conserve ({ $days } jours) : les événements d'avant { $oldest } sont peut-être perdus pour de bon ; consultez le tableau de bord du prestataire pour cette période
sync-problem-failed = { $n } événement(s) { $provider } n'ont pas pu être appliqués (voir `tally webhooks --failed`) ; le repère ne bouge pas, la prochaine synchronisation les réessaie
sync-problem-malformed = événement { $provider } { $id } : { $error }
sync-problem-event-failed = événement { $provider } { $id } en échec : { $error }
sync-problem-would-fail = événement { $provider } { $id } échouerait : { $error }
sync-lock = impossible de prendre le verrou de synchronisation { $path } : { $error }
sync-not-configured = { $provider } : { $var } n'est pas défini, tally ne peut donc pas interroger l'API de { $provider }
sync-none-configured = aucun identifiant d'API de prestataire n'est défini : définissez STRIPE_API_KEY, PAYPAL_CLIENT_ID et PAYPAL_CLIENT_SECRET, ou WAVE_API_KEY (voir `tally sync --help`)

## Les API et identifiants des prestataires (le texte du prestataire reste tel qu'il l'a donné)

api-status = { $provider } : { $call } : { $status } { $text }
api-timeout = { $provider } : { $call } : pas de réponse en { $secs } s ({ $attempts } essais)
api-transport = { $provider } : { $call } : impossible de joindre { $host } : { $reason } ({ $attempts } essais)
api-malformed = { $provider } : { $call } : la réponse n'est pas celle que l'API documente : { $reason }
api-bad-url = { $provider } : URL d'API incorrecte { $url } : { $reason }
cred-stripe-not-utf8 = STRIPE_WEBHOOK_SECRET n'est pas de l'UTF-8 valide
cred-stripe-empty = STRIPE_WEBHOOK_SECRET est défini mais ne contient aucun secret (attendu whsec_..., séparés par une virgule pendant une rotation)
cred-stripe-api-key = l'entrée n° { $entry } de STRIPE_WEBHOOK_SECRET est une clé d'API Stripe, pas un secret de signature de webhook (whsec_...) : prenez le secret de signature sur la page du point de terminaison du webhook
cred-wave-not-utf8 = WAVE_WEBHOOK_SECRET n'est pas de l'UTF-8 valide
cred-wave-empty = WAVE_WEBHOOK_SECRET est défini mais ne contient aucun secret (attendu wave_sn_WHS_..., séparés par une virgule pendant une rotation)
cred-wave-api-key = l'entrée n° { $entry } de WAVE_WEBHOOK_SECRET ressemble à une clé d'API Wave ou à un secret de signature de requêtes (wave_..._prod_..., wave_..._AKS_...), pas à un secret de webhook (wave_sn_WHS_...) : prenez le secret que le Business Portal a affiché à l'enregistrement du webhook (Développeurs, Webhooks)
cred-paypal-simulator = PAYPAL_WEBHOOK_ID vaut { $id }, l'identifiant avec lequel signe le simulateur de webhooks de PayPal : n'importe qui peut faire envoyer par le simulateur des événements authentiquement signés à n'importe quelle URL. Mettez l'identifiant de votre webhook (tableau de bord développeur, votre application, Webhooks), ou passez --paypal-allow-simulator à un récepteur de test
cred-stripe-key-kind = STRIPE_API_KEY n'est pas une clé d'API Stripe secrète ou restreinte (attendu rk_... ou sk_... ; whsec_ est le secret de signature du webhook, pk_ la clé publiable)
cred-paypal-half = { $set } est défini mais pas { $unset } : l'API de PayPal a besoin des deux
cred-paypal-mode = PAYPAL_MODE vaut { $mode } : attendu live ou sandbox

## Les constats des relevés (tally check), leurs actions

stm-file-row = { $file } ligne { $row }
stm-payment-ref = paiement { $provider } { $reference }
stm-payment-attempt = paiement { $provider } n° { $attempt }
stm-unknown = { $kind } { $provider } { $id } de { $amount } le { $day } ({ $at }) : aucun paiement de tally ne correspond
stm-unknown-naming = { $kind } { $provider } { $id } de { $amount } le { $day } ({ $at }, citant la commande { $order }) : aucun paiement de tally ne correspond
stm-unknown-action = si c'est une vente de la boutique, importez sa commande et son paiement (`tally import`), puis relancez `tally statement import` pour le rapprocher ; l'argent encaissé hors de la boutique n'appelle rien dans tally
stm-charge-nothing = { $provider } a encaissé { $amount } le { $day } ({ $at }) ; le grand livre du { $named } n'a rien capturé
stm-charge-nothing-action = la capture n'est jamais arrivée à tally (un webhook perdu ?) : voir `tally webhooks --failed`, ou confirmez-la chez { $provider } ; une fois réglé, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-what-amount = le montant
stm-what-currency = la devise
stm-charge-differs = { $provider } a encaissé { $amount } le { $day } ({ $at }) ; le grand livre du { $named } a capturé { $captured }
stm-charge-differs-action = { $what } diffère : vérifiez le paiement chez { $provider } et corrigez ce qui est faux (une capture partielle, une commande modifiée) ; une fois réglé, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-refund-differs = { $provider } a remboursé { $amount } le { $day } ({ $at }) ; le grand livre du { $named } a { $has } pour ce remboursement
stm-refund-differs-action = vérifiez le remboursement chez { $provider } ; une fois réglé, `tally resolve { $number } statement_mismatch --id { $id } --note ...`
stm-refund-unrecorded = le remboursement { $provider }{ $id } de { $amount } le { $day } ({ $at }) n'est pas dans le grand livre du { $named }
stm-refund-record = enregistrer le remboursement { $id } de { $amount } dans le grand livre, tel que le relevé le montre (tracé comme statement:{ $file })
stm-refund-check = vérifiez chez { $provider } (un remboursement sans identifiant propre, ou que le grand livre tient peut-être sous un autre : tally ne l'enregistre pas de lui-même) ; s'il a été fait, `tally payment record-refund { $number }{ $payment } --amount ... --reference { $id } --note ...`
stm-dispute = le litige
stm-dispute-reversal = l'annulation de litige
stm-dispute-unrecorded = { $what } { $provider }{ $id } de { $amount } le { $day } ({ $at }) n'est pas dans le grand livre du { $named }
stm-dispute-answer = répondez au litige chez { $provider } s'il est encore ouvert ; une fois réglé, `tally resolve { $number } unrecorded_dispute --id { $id } --note ...`
stm-dispute-record = enregistrer le litige { $id } ({ $state }) de { $amount } dans le grand livre, tel que le relevé le montre (tracé comme statement:{ $file }) ; répondez-y chez { $provider } s'il est encore ouvert
stm-missing-charge = le grand livre du { $named } a capturé { $captured } le { $day } ; les relevés de { $provider } pour { $period } ne montrent aucun encaissement pour lui
stm-missing-charge-action = vérifiez chez { $provider } que l'argent est arrivé (un encaissement sur un autre compte, une mauvaise référence, une capture annoncée à tort à tally) ; une fois réglé, `tally resolve { $number } missing_at_provider --note ...`
stm-missing-refund = le grand livre du { $named } a le remboursement { $id } de { $amount } le { $day } ; les relevés de { $provider } pour { $period } ne le montrent pas
stm-missing-refund-action = vérifiez chez { $provider } que le client a été remboursé ; une fois réglé, `tally resolve { $number } missing_at_provider --id { $id } --note ...`

## tally statement import, tally payouts, tally report

stmt-cash = --provider cash : les espèces n'ont pas de relevés (valides : stripe, paypal, wave)
stmt-cannot-read = impossible de lire { $path } : { $error }
stmt-described = { $format }, { $n } lignes, du { $from } au { $to }
stmt-already = { $name } : déjà importé ({ $at }) : rien n'a changé
stmt-imported = { $name } : { $what } : { $new } nouvelles, { $unchanged } inchangées, { $rewritten } réécrites par le prestataire
stmt-kept-newer = { $n } conservées car un fichier plus récent les contient
stmt-rewritten = { $id } (ligne { $row }) : { $old_status } { $old_gross } → { $new_status } { $new_gross }
stmt-matched = { $provider } : { $matched } lignes client sur { $lines } rapprochées de paiements ; `tally check` les compare
stmt-no-payouts = Aucun virement dans les relevés importés.
stmt-col-provider = prestataire
stmt-col-payout = virement
stmt-col-date = date
stmt-col-status = statut
stmt-col-amount = montant
stmt-col-lines = lignes
stmt-col-charges = encaissements
stmt-col-fees = frais
stmt-col-refunds = remboursements
stmt-col-disputes = litiges
stmt-col-other = autres
stmt-col-net = net
stmt-col-adds-up = juste
stmt-col-currency = devise
stmt-col-captured = capturé
stmt-col-refunded = remboursé
stmt-col-disputes-lost = litiges perdus
stmt-col-charged = encaissé (relevé)
stmt-col-fee-rate = taux de frais
stmt-adds-up = oui
stmt-less-than-lines = non : { $amount } de moins que ses lignes
stmt-more-than-lines = non : { $amount } de plus que ses lignes
stmt-lines-unknown = (le fichier ne donne pas ses lignes)
stmt-payouts-off = { $n } virement(s) ne tombent pas juste : le net de leurs lignes diffère de ce qu'ils ont pris sur le solde.
stmt-until-before-since = --until { $until } est antérieur à --since { $since }
stmt-report-heading = Argent sur la période { $since } – { $until } (UTC) : capturé, remboursé et perdu en litiges selon le grand livre ; encaissé, frais et net selon les relevés (dans leur devise de règlement)
stmt-the-start = début
stmt-now = maintenant
stmt-report-orders = Commandes créées sur la période, par statut de paiement : { $orders }
stmt-none = aucune
demo-statement-files = Fichiers de relevés dans { $dir } :
demo-statement-discrepancies = Écarts mis exprès :
demo-statement-then = Ensuite : { $import }

## La synchronisation du tableau de bord (S)

dsync-already = une synchronisation est déjà en cours ({ $progress })
dsync-starting = démarrage
dsync-started = synchronisation lancée en arrière-plan : les touches restent actives ; la ligne de titre la suit
dsync-fetched = { $provider } : { $events } événements récupérés
dsync-applying = { $provider } : application { $done }/{ $total }
dsync-pending = { $provider } : paiements en attente { $done }/{ $total }
dsync-status = sync : { $summary }
dsync-busy = une autre synchronisation tourne sur cette base ; rien n'a été fait
dsync-calls = { $n ->
    [one] { $n } appel d'API
   *[other] { $n } appels d'API
}
dsync-nothing-new = rien de nouveau ({ $names } ; { $calls })
dsync-changes = { $n ->
    [one] { $n } changement
   *[other] { $n } changements
} ({ $per } ; { $calls }) : voir la vue Webhooks, origine sync
dsync-stopped = ; arrêtée : { $error }
dsync-problem = ; problème : { $problem }
dsync-syncing = synchronisation : { $progress }
dsync-synced = synchronisé à { $at }
dsync-synced-problems = synchronisé à { $at }, avec des problèmes
dsync-failed = échec de la synchronisation à { $at }

## La vue Relevés du tableau de bord

dstm-query = lignes de relevé, non rapprochées d'abord, puis les plus récentes ; ✗ non rapprochée
dstm-empty = aucune ligne de relevé
dstm-col-kind = Nature
dstm-col-line-id = Id de ligne
dstm-col-gross = Brut
dstm-col-fee = Frais
dstm-unmatched = non rapprochée
dstm-open-order = commande
dstm-open-line = détails
dstm-findings = constats des relevés :
dstm-checking = vérification…
dstm-no-findings = aucun
dstm-more-files = { $n } fichiers de plus
dstm-file = { $name }  { $from } → { $to }  { $rows } lignes  importé le { $at } ({ $actor })
dstm-detail-title = Ligne de relevé { $id }
dstm-f-file = fichier
dstm-f-row = ligne
dstm-f-line-id = id de ligne
dstm-f-date = date
dstm-f-kind = nature
dstm-f-status = statut
dstm-f-type = type (fichier)
dstm-f-gross = brut
dstm-f-fee = frais
dstm-f-net = net
dstm-f-customer = payé (client)
dstm-f-ids = identifiants
dstm-f-payout = virement
dstm-f-description = description
dstm-f-match = rapprochement
dstm-matched = commande { $order } (rapprochée par { $by })
dstm-match-none = aucun : aucun paiement de la boutique n'a ces identifiants ni ce numéro de commande
dstm-match-not-customer = non rapprochée (pas un paiement de client)
dstm-unknown-hint = Le prestataire a cet argent et tally n'a aucun paiement pour lui : trouvez la commande à laquelle il correspond (ses identifiants, sa description), ou demandez au prestataire. `tally check` le signale comme unknown_to_tally une fois définitif et dans les jours que couvrent les relevés.
dstm-tab-unmatched = { $n ->
    [one] { $n } non rapprochée
   *[other] { $n } non rapprochées
}

## Les problèmes d'un fichier de relevé (tally statement import)

stmtp-invalid = { $n } problème(s), rien n'a été importé :
stmtp-at-row = { $at } : ligne { $row }
stmtp-at-column = { $at } : colonne { $column }
stmtp-problem = { $at } : { $message }
stmtp-decimal-comma = { $text } a une virgule décimale : tally lit les montants avec un point décimal ("-4.25"), comme les mises en page anglaises les écrivent
stmtp-not-amount = { $text } n'est pas un montant (p. ex. "-1,309.80")
stmtp-amount = { $text } : { $error }
stmtp-dates-disagree = ses dates se contredisent sur l'ordre du jour et du mois ({ $day } met le jour d'abord, { $month } le mois) : donnez --date-format
stmtp-dates-ambiguous = ses dates ne permettent pas de distinguer le jour du mois (p. ex. { $example }) : donnez --date-format DD/MM/YYYY ou --date-format MM/DD/YYYY
stmtp-not-date = { $text } n'est pas une date ({ $example })
stmtp-not-time = { $text } n'est pas une heure (HH:MM:SS)
stmtp-stripe-payments-export = c'est l'export Paiements de Stripe ; tally lit le rapport « Balance change from activity » détaillé (Balance → Reports → Balance change from activity → Download → Itemized), avec les colonnes source_id, charge_id et payment_intent_id ajoutées
stmtp-paypal-french = ce fichier PayPal a des noms de colonnes en français (Brut, Frais, Devise, …) et des virgules décimales ; tally lit le téléchargement d'activité en anglais : passez la langue du compte PayPal en anglais, puis téléchargez à nouveau l'activité (Activity → Statements → Activity download, CSV)
stmtp-paypal-amount-only = cette mise en page PayPal a un Amount mais ni Currency ni Transaction ID : tally ne peut ni connaître sa devise ni garder chaque transaction une seule fois ; téléchargez plutôt le téléchargement d'activité (Activity → Statements → Activity download, CSV, avec les champs Currency, Gross, Fee, Net et Transaction ID)
stmtp-unknown-layout = mise en page de relevé que tally ne lit pas (ses colonnes : { $columns }) ; tally lit le rapport détaillé « Balance change from activity » de Stripe, le téléchargement d'activité de PayPal (et son relevé), et les transactions Wave avec les noms de champs de l'API comme colonnes
stmtp-missing-columns = colonne(s) manquante(s) : { $columns }
stmtp-stripe-ids-missing = ce rapport Stripe n'a aucune colonne qui nomme un paiement (les colonnes par défaut de Stripe) : dans le Dashboard, Balance → Reports → Balance change from activity → Download → Itemized → Columns, ajoutez source_id, charge_id et payment_intent_id (et, pour le rapprochement et les frais, payment_metadata[order_id], customer_facing_amount, customer_facing_currency et automatic_payout_id), puis téléchargez-le à nouveau
stmtp-empty-required = vide (obligatoire)
stmtp-net-gross-minus-fee = net n'est pas brut − frais ({ $g } − { $f } ≠ { $n } unités mineures)
stmtp-net-gross-plus-fee = Net n'est pas Gross + Fee ({ $g } + { $f } ≠ { $n } unités mineures)
stmtp-customer-currency-empty = vide alors que customer_facing_amount est donné
stmtp-unknown-zone = { $zone } n'est pas un fuseau horaire que tally connaît (connus : { $known })
stmtp-not-bool = { $text } n'est ni true ni false
stmtp-not-csv = illisible en CSV : { $error }
stmtp-empty-file = fichier vide : pas de ligne d'en-tête
stmtp-wrong-provider = c'est un fichier « { $format } », pas un relevé { $provider } (--provider { $flag })
stmtp-of-layout = { $format } : { $error }
stmtp-again = la transaction { $id } revient avec d'autres faits (première fois à la ligne { $first })
stmtp-no-lines = aucune ligne : donnez --period FROM..TO pour dire quels jours couvre ce relevé vide
stm-period = { $from }–{ $to }

## Les refus de démarrer de tally serve (ses lignes de journal restent en anglais)

bind-malformed = --bind { $text } : attendu HOST:PORT (p. ex. 127.0.0.1:8787) ou unix:PATH
bind-resolve = --bind { $addr } : impossible de le résoudre : { $reason }
bind-exposed = --bind { $addr } : pas une adresse de bouclage ({ $ip }). tally serve n'a pas de délais d'attente et croit le Content-Length d'une requête (un absurde l'interrompt) : seul un proxy inverse devant (nginx, deploy/nginx-tally.conf) arrête de telles requêtes. Préférez --bind unix:PATH pour le proxy ; si un proxy protège vraiment cette adresse et ce port, ajoutez --behind-proxy
bind-duplicate = --bind { $addr } est donné deux fois
