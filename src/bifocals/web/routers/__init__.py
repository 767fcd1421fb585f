"""One router per feature; app.create_app includes them (optional ones when present)."""
