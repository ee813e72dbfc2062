// FrugalQuant — module namespace. See docs/architecture.md for what this target owns.
public enum FrugalQuant {}
