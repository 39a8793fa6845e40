"""Models: torch networks and their training, standardisation, SMOTE, temperature calibration,
the group-mode model, and bundles saved and loaded without pickle."""
