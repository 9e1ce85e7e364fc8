"""Pull jobs: plan (dry run), approve, execute in batches of mailboxes, restore; audited."""
