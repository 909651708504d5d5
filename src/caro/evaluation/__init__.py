"""The evaluation harness behind `caro eval`: dataset, sandbox, scoring, reports (docs/evaluation.md)."""
