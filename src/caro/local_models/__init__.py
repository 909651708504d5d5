"""Local model files for the embedded backend: known models and discovery, downloads, GGUF metadata."""
