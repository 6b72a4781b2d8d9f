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
status-source-owner = propriétaire
status-source-provider = prestataire

## Erreurs

error = erreur : { $text }
