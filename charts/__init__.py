"""Pure chart code (no Streamlit): figure builders, the chart catalogue, the theme, card tables and
static image export. components/ draws what this package builds."""
