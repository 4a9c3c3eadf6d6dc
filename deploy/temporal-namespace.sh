#!/bin/sh
# The hall's Temporal namespace, run by the one-shot service `temporal-namespace`
# (temporalio/admin-tools) once the server answers. temporalio/server, unlike the
# development-only auto-setup image, creates no namespace by itself. Idempotent: an
# existing namespace is left as it is (its retention included).
#
# The search attributes are not registered here: the worker registers the ones the
# cluster lacks when it starts (temporal_client.ensure_search_attributes).
set -eu

: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS}"
: "${TEMPORAL_NAMESPACE:?set TEMPORAL_NAMESPACE}"
# How long a closed case's history stays in Temporal; the audit table in the hall's own
# database keeps who did what for longer.
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-30d}"

attempt=1
until temporal operator namespace describe --address "$TEMPORAL_ADDRESS" \
    --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
    if temporal operator namespace create --address "$TEMPORAL_ADDRESS" \
        --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION"; then
        echo "temporal-namespace: created $TEMPORAL_NAMESPACE (retention $RETENTION)"
        exit 0
    fi
    if [ "$attempt" -ge 30 ]; then
        echo "temporal-namespace: could not create $TEMPORAL_NAMESPACE" >&2
        exit 1
    fi
    attempt=$((attempt + 1))
    sleep 2
done
echo "temporal-namespace: $TEMPORAL_NAMESPACE exists"
