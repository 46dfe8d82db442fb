// The study layer sits on the modules below it and re-exports them, so that a target importing
// PoisoningEngine sees the data sets, models, theory, attacks, defenses and utilities as before.
@_exported import PoisoningAttacks
@_exported import PoisoningData
@_exported import PoisoningDefenses
@_exported import PoisoningModels
@_exported import PoisoningTheory
@_exported import PoisoningUtilities
