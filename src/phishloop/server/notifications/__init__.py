"""Reporter feedback: one answer per reporter and verdict (a correction when the verdict
changes), an optional acknowledgement, a "still under review" note, delivered through the
configured notifier with retries; and recovery of reconstructed reports from the
reporter's own mailbox. See docs/feedback.md."""
