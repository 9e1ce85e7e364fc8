"""The report pipeline as jobs: analyse (core analysis and verdict) → cluster → decide.
Each step is a service function taking an id; `steps` registers them as job kinds."""
