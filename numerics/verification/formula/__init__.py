"""check_formula: a claimed formula against the exact matrices, on a plan drawn from the declared domains (its runs, its claim plan and the check itself)."""
