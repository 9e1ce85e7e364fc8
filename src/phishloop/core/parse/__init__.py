"""The parsing layer: bytes -> parsed messages (`mime`, `headers`), Outlook .msg (`msg`),
mbox (`mbox`), input detection (`detect`) and report unwrapping (`unwrap`)."""
