"""Reports: summary metrics, sections, plots and the Markdown/HTML writer."""
