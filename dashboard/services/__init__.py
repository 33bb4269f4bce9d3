"""One keyword-only function per user action; each checks role, scope and the year's state."""
