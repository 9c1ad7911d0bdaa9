"""Reports: render indicator reports and family-doctor worklists from the built marts."""
