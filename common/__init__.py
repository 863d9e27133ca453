"""What both domain apps use: small helpers that belong to neither articles nor relations."""
