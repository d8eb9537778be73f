"""Qt-free Supabase sync between workstations."""
