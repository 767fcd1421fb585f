"""360 reports: individual and cohort reports as HTML (inline SVG, no JavaScript) and PDF.

Pure builders from bifocals.scoring.CampaignScores (anonymity already applied) to strings and
bytes; write_reports is the one function that touches files.
"""

from bifocals.reports.cohort import cohort_report_html, cohort_view
from bifocals.reports.comments import CommentCode, comment_codes_from
from bifocals.reports.files import safe_filename, write_reports, zip_reports
from bifocals.reports.individual import individual_report_html, individual_view
from bifocals.reports.pdf import html_to_pdf, html_to_pdfs, pdf_maker

__all__ = [
    "CommentCode",
    "cohort_report_html",
    "cohort_view",
    "comment_codes_from",
    "html_to_pdf",
    "html_to_pdfs",
    "individual_report_html",
    "individual_view",
    "pdf_maker",
    "safe_filename",
    "write_reports",
    "zip_reports",
]
