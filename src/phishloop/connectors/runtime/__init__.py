"""Loading what analysis needs from disk: the organisation's TOML file, the trained model,
the YARA rules and the intel store. Shared by the command line and the service, so a
message is judged the same way everywhere."""
