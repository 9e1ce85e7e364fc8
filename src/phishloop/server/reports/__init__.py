"""Reports (reporting events) and the reported messages they carry; durable raw storage."""
