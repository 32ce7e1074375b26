// approved snapshot of the self-check
