"""Live workshop mode: events pushed to open pages, the projection wall, the control panel."""
