"""Model → pages: every page of the site with its cross-links computed once."""
