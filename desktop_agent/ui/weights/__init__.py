"""The weight editor, effective-request preview, drift chart, and the snapshot, experiment
and agent dialogs (the right panel and the Weights menu)."""
