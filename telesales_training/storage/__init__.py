"""The one storage gateway: the schema, migrations (frozen), the database, access rules (team mode), the
trainee's store and the cohort's read views, who the trainee is. Only this floor talks SQL."""
