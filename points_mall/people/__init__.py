"""People and organisations: the organisation tree, members, staff, role grants and their scope."""
