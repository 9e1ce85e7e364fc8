"""A durable job table: every pipeline step is a row first, then work.

A job is written in the same transaction as the change that calls for it (a transactional
outbox), so nothing is lost if the process or the broker dies. The embedded worker claims
rows from the table; at scale, each committed job is also sent to Celery, whose task runs the
same row (a re-delivered or duplicated message finds the row done and does nothing), and a
sweeper re-sends rows that no worker picked up.
"""
