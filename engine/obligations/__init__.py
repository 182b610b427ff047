"""What the law and the procedures owe: legal deadlines, reminders and escalations,
the inbox, e-mail and her consents."""
