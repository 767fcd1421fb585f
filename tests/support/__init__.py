"""Helpers the tests share (not test modules, so pytest does not collect them): web clients,
signing in and a live server (web), a closed campaign with every role (closed_campaign), survey
links (survey), campaign pages (campaign_pages), the readiness survey (readiness), the demo
initiative (change_pages), an SMTP inbox (mail), scoring and store builders (scoring, store),
scored demo reports (reports), roster and CLI runs (programme), effort exports (effort_exports)."""
