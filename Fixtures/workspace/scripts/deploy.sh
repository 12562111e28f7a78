#!/usr/bin/env bash
# Build, push and roll out search-api; undo the rollout if it does not become healthy.
set -euo pipefail
VERSION=${1:?usage: deploy.sh VERSION}
IMAGE=registry.local/search-api:$VERSION

docker build -t "$IMAGE" .
docker push "$IMAGE"
kubectl -n search set image deployment/search-api api="$IMAGE"
if ! kubectl -n search rollout status deployment/search-api --timeout=300s; then
    echo "rollout of $VERSION failed, rolling back" >&2
    kubectl -n search rollout undo deployment/search-api
    exit 1
fi
curl -fsS https://search.internal/healthz
