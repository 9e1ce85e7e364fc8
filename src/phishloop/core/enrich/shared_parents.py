"""Big shared platforms whose parent domain is never an intel match target.

Feeds sometimes list the parent of a platform where one tenant hosted a phishing page
(`sharepoint.com` for `evil.sharepoint.com`), which would flag every legitimate link to
it. Platforms in the Public Suffix List's private section (github.io, blogspot.com,
web.app, ...) need no entry: matching never goes above a registered domain anyway.
Tenants (`evil.sharepoint.com`) and listed URLs still match. Operators replace or extend
this list with `[intel] shared_parents`.
"""

from __future__ import annotations

DEFAULT_SHARED_PARENTS = frozenset(
    {
        "1drv.ms",
        "amazonaws.com",
        "atlassian.net",
        "bit.ly",
        "box.com",
        "canva.site",
        "dropbox.com",
        "forms.gle",
        "godaddysites.com",
        "google.com",
        "googleusercontent.com",
        "hubspotpagebuilder.com",
        "linktr.ee",
        "live.com",
        "mailchimpsites.com",
        "medium.com",
        "microsoft.com",
        "office.com",
        "qualtrics.com",
        "sharepoint.com",
        "squarespace.com",
        "surveymonkey.com",
        "t.co",
        "tumblr.com",
        "typeform.com",
        "weebly.com",
        "wordpress.com",
        "zendesk.com",
        "zoho.com",
        "000webhostapp.com",
    }
)
